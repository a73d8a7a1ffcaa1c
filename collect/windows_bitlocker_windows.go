//go:build windows

package collect

import (
	"runtime"
	"strings"

	ole "github.com/go-ole/go-ole"
	"github.com/go-ole/go-ole/oleutil"
)

// RefreshProtection asks each volume's GetProtectionStatus method for the
// live state (0 off, 1 on, 2 unknown), keeping the property's value where
// the call fails. The WMI library cannot call methods, so this uses
// SWbemServices through go-ole on a thread of its own.
func (windowsSource) RefreshProtection(vols []wmiEncryptableVolume) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := ole.CoInitializeEx(0, ole.COINIT_MULTITHREADED); err != nil {
		if oe, ok := err.(*ole.OleError); !ok || oe.Code() != 1 { // 1: S_FALSE, already initialised
			return
		}
	}
	defer ole.CoUninitialize()
	locator, err := createDispatch("WbemScripting.SWbemLocator")
	if err != nil {
		return
	}
	defer locator.Release()
	svc, err := callDispatch(locator, "ConnectServer", nil, nsBitLocker)
	if err != nil {
		return
	}
	defer svc.Release()
	for i := range vols {
		if vols[i].DeviceID == "" {
			continue
		}
		if st, ok := volumeProtection(svc, vols[i].DeviceID); ok {
			vols[i].ProtectionStatus = &st
		}
	}
}

// volumeProtection calls GetProtectionStatus on one volume.
func volumeProtection(svc *ole.IDispatch, deviceID string) (uint32, bool) {
	// Object paths quote the key, so its backslashes and quotes are escaped.
	key := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(deviceID)
	obj, err := callDispatch(svc, "Get", `Win32_EncryptableVolume.DeviceID="`+key+`"`)
	if err != nil {
		return 0, false
	}
	defer obj.Release()
	out, err := callDispatch(obj, "ExecMethod_", "GetProtectionStatus")
	if err != nil {
		return 0, false
	}
	defer out.Release()
	if propInt(out, "ReturnValue") != 0 {
		return 0, false
	}
	v, err := oleutil.GetProperty(out, "ProtectionStatus")
	if err != nil {
		return 0, false
	}
	defer v.Clear()
	switch n := v.Value().(type) {
	case int32:
		return uint32(n), true
	case uint32:
		return n, true
	case int64:
		return uint32(n), true
	}
	return 0, false
}
