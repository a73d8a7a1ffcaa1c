// The staff password check. The password never leaves this page: the
// strength estimate (zxcvbn, as handwash password check makes it) and the
// SHA-1 hash are computed here by WebAssembly, and only the hash's first
// 5 characters are sent, to look the rest up among breached passwords.
(function () {
  "use strict";
  var form = document.getElementById("pwcheck");
  if (!form) { return; }
  var input = document.getElementById("pw");
  var go = document.getElementById("pw-go");
  var status = document.getElementById("pw-status");
  var words = JSON.parse(form.dataset.words || "[]");
  var breached = form.dataset.breached === "true";

  function text(id, s) { document.getElementById(id).textContent = s || ""; }
  function list(id, items) {
    var ul = document.getElementById(id);
    ul.textContent = "";
    (items || []).forEach(function (s) {
      var li = document.createElement("li");
      li.textContent = s;
      ul.appendChild(li);
    });
  }
  function times(n) {
    return n === 1 ? "once" : n.toLocaleString("en-GB") + " times";
  }

  document.getElementById("pw-show").addEventListener("change", function (e) {
    input.type = e.target.checked ? "text" : "password";
  });

  if (typeof WebAssembly !== "object" || typeof Go !== "function") {
    status.textContent = "This browser cannot run the check. Try another browser, or ask your manager to check with you.";
    return;
  }
  var goRuntime = new Go();
  fetch(form.dataset.wasm)
    .then(function (resp) {
      if (!resp.ok) { throw new Error("the check could not be downloaded (" + resp.status + ")"); }
      return resp.arrayBuffer();
    })
    .then(function (buf) { return WebAssembly.instantiate(buf, goRuntime.importObject); })
    .then(function (result) {
      goRuntime.run(result.instance);
      go.disabled = false;
      status.textContent = "Ready.";
    })
    .catch(function (err) {
      status.textContent = "The check could not start: " + err.message + ". Reload the page to try again.";
    });

  // breach asks the server for the hash's range and finds the rest here.
  function breach(sha1) {
    if (!breached) { return Promise.resolve(null); }
    var prefix = sha1.slice(0, 5), suffix = sha1.slice(5);
    return fetch(form.dataset.range + prefix, { cache: "no-store", credentials: "omit" }).then(function (resp) {
      if (!resp.ok) { return resp.text().then(function (t) { throw new Error(t.trim() || ("answer " + resp.status)); }); }
      return resp.text();
    }).then(function (body) {
      var lines = body.split("\n");
      for (var i = 0; i < lines.length; i++) {
        var parts = lines[i].trim().split(":");
        if (parts.length === 2 && parts[0].toUpperCase() === suffix) {
          var n = parseInt(parts[1], 10);
          if (n > 0) { return n; }
        }
      }
      return 0;
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var pw = input.value;
    if (!pw) {
      status.textContent = "Type a password to check.";
      input.focus();
      return;
    }
    var out = JSON.parse(window.handwashCheck(pw, words));
    if (out.error) { status.textContent = out.error; return; }
    var s = out.strength;
    text("pw-rating", s.rating + " (" + s.score + " of 4)");
    var online = s.crack_times[0], offline = s.crack_times[s.crack_times.length - 1];
    text("pw-guess", "A criminal guessing at a login page would need " + online.display +
      "; with a stolen copy of a website's passwords, " + offline.display + "." +
      (s.truncated ? " Only its first 128 characters were looked at." : ""));
    text("pw-warning", s.warning);
    list("pw-suggestions", s.suggestions);
    list("pw-advice", s.advice);
    text("pw-breach", breached ? "Looking it up among breached passwords…" : "Breached passwords are not checked on this server.");
    var result = document.getElementById("pw-result");
    result.hidden = false;
    status.textContent = "Checked.";
    breach(out.sha1).then(function (n) {
      if (n === null) { return; }
      text("pw-breach", n > 0
        ? "Found " + times(n) + " in data breaches. Criminals try these first, on every website: do not use this password, and change it wherever you use it now, starting with your email."
        : "Not found among the passwords known from data breaches.");
      status.textContent = n > 0 ? "Checked: this password has been in a data breach." : "Checked.";
    }).catch(function (err) {
      text("pw-breach", "Breached passwords could not be checked: " + err.message);
    });
    document.getElementById("pw-result-h").focus();
  });
})();
