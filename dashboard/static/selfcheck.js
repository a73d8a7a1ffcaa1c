// The phone self-check: fills in what the server could not tell from the
// browser's User-Agent. Chrome on Android hides the system version and
// model (it says "Android 10; K") but gives them when asked, and an iPad
// says it is a Mac but has a touch screen. Nothing is sent until the
// person saves the form.
(function () {
  "use strict";
  var os = document.getElementById("sc-os");
  var version = document.getElementById("sc-os_version");
  var model = document.getElementById("sc-model");
  if (!os || !version) { return; }
  if (!os.value && /Macintosh/.test(navigator.userAgent) && navigator.maxTouchPoints > 1) {
    os.value = "ipados";
    var m = /Version\/(\d+(?:\.\d+){0,2})/.exec(navigator.userAgent);
    if (m && !version.value) { version.value = m[1]; }
  }
  var uad = navigator.userAgentData;
  if (uad && uad.platform === "Android" && typeof uad.getHighEntropyValues === "function") {
    uad.getHighEntropyValues(["platformVersion", "model"]).then(function (v) {
      if (!os.value) { os.value = "android"; }
      if (!version.value && v.platformVersion) { version.value = v.platformVersion.replace(/(\.0)+$/, ""); }
      if (model && !model.value && v.model) { model.value = v.model; }
    }).catch(function () {});
  }
})();
