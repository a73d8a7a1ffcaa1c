package collect

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/handwash/handwash"
)

// windowsCollectors are the collectors of Windows machines. Their logic
// lives in files without build tags (windows_*.go) and reads Windows only
// through a winSource, so tests replay recordings on every platform; only
// the real source (windows_source_windows.go) is Windows code.
func windowsCollectors() []Collector {
	return windowsCollectorsFrom(func(Host) (winSource, error) { return realWinSource(), nil })
}

// winOpener gives a collector the winSource that goes with its Host: the
// real Windows, or the recording a ReplayHost holds.
type winOpener func(Host) (winSource, error)

// winRun is a Windows collector's body.
type winRun func(ctx context.Context, h Host, src winSource, f *handwash.Facts) error

// windowsCollectorsFrom builds the Windows collectors over the sources open
// gives. One collector per topic, so a slow or broken source (WMI, the
// Windows Update Agent) costs only its own topic.
func windowsCollectorsFrom(open winOpener) []Collector {
	c := func(name string, topics []string, timeout time.Duration, run winRun) Collector {
		return Collector{Name: name, Topics: topics, Timeout: timeout, Run: func(ctx context.Context, h Host, f *handwash.Facts) error {
			src, err := open(h)
			if err != nil {
				return err
			}
			return run(ctx, h, deadlineSource{src, ctx}, f)
		}}
	}
	return []Collector{
		c("windows-device", nil, 0, collectWinDevice),
		c("windows-os", []string{"os"}, 0, collectWinOS),
		// The Windows Update Agent can take several seconds even offline.
		c("windows-updates", []string{"updates"}, 20*time.Second, collectWinUpdates),
		c("windows-firewall", []string{"firewall"}, 0, collectWinFirewall),
		c("windows-malware", []string{"malware"}, 0, collectWinMalware),
		// PowerShell, the fallback without administrator rights, starts slowly.
		c("windows-encryption", []string{"encryption"}, 15*time.Second, collectWinEncryption),
		c("windows-screen-lock", []string{"screen_lock"}, 0, collectWinScreenLock),
		c("windows-accounts", []string{"accounts"}, 0, collectWinAccounts),
		c("windows-password-policy", []string{"password_policy"}, 10*time.Second, collectWinPasswordPolicy),
		c("windows-remote-access", []string{"remote_access"}, 0, collectWinRemoteAccess),
		c("windows-smb", []string{"smb"}, 0, collectWinSMB),
		c("windows-network", []string{"network"}, 0, collectWinNetwork),
		c("windows-wifi", []string{"wifi"}, 0, collectWinWiFi),
		c("windows-removable-media", []string{"removable_media"}, 0, collectWinRemovableMedia),
		c("windows-app-control", []string{"app_control"}, 0, collectWinAppControl),
		c("windows-content-protection", []string{"content_protection"}, 0, collectWinContentProtection),
		c("windows-backup", []string{"backup"}, 15*time.Second, collectWinBackup),
		c("windows-software", []string{"software"}, 0, collectWinSoftware),
	}
}

// consoleUser finds the person whose settings per-user facts describe, or
// records why there is none against each fact.
func consoleUser(src winSource, f *handwash.Facts, facts ...string) (winUser, bool) {
	u, err := src.ConsoleUser()
	if err == nil && u.SID != "" {
		return u, true
	}
	reason, detail := handwash.ReasonError, "could not tell who is signed in"
	if err != nil {
		detail += ": " + err.Error()
	}
	if errors.Is(err, errNoConsoleUser) {
		reason, detail = handwash.ReasonNotSupported, "nobody is signed in at the console, so there are no per-user settings to read"
	}
	for _, fact := range facts {
		f.AddMissing(fact, reason, detail)
	}
	return winUser{}, false
}

// wmiMargin is how long before its collector's deadline a WMI query (or a
// BitLocker method call) is given up. WMI calls cannot be interrupted and
// can take many seconds (the first after boot, a rebuilding repository, or
// Wine's COM waiting for RpcSs); a collector stuck in one overruns and loses
// everything it had read, the registry included. Given up in time, only the
// facts that needed WMI are missing, as timed out.
const wmiMargin = 750 * time.Millisecond

// deadlineSource is the winSource a collector sees: its WMI calls end
// before the collector's deadline, whether or not WMI has answered.
type deadlineSource struct {
	winSource
	ctx context.Context
}

// beforeDeadline runs fn and waits for it until wmiMargin before ctx's
// deadline. It returns nil once fn has finished, or why it stopped
// waiting; then fn goes on alone, so it must write only into memory its
// caller no longer reads.
func beforeDeadline(ctx context.Context, fn func()) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	wait := time.Duration(1<<63 - 1)
	if dl, ok := ctx.Deadline(); ok {
		wait = time.Until(dl) - wmiMargin
	}
	if wait <= 0 {
		return context.DeadlineExceeded
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return context.DeadlineExceeded
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s deadlineSource) WMI(namespace, query string, dst any) error {
	// The query fills a copy of dst, so that one given up on cannot write
	// into dst after WMI returned.
	tmp := reflect.New(reflect.TypeOf(dst).Elem())
	var err error
	wait := beforeDeadline(s.ctx, func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("WMI %s: %v", query, p)
			}
		}()
		err = s.winSource.WMI(namespace, query, tmp.Interface())
	})
	if wait != nil {
		return fmt.Errorf("WMI gave no answer in time to %s: %w", query, wait)
	}
	reflect.ValueOf(dst).Elem().Set(tmp.Elem())
	return err
}

// RefreshProtection refreshes the volumes' protection status if the
// source can, and in time; otherwise they keep the property's value.
func (s deadlineSource) RefreshProtection(vols []wmiEncryptableVolume) {
	r, ok := s.winSource.(protectionRefresher)
	if !ok {
		return
	}
	fresh := slices.Clone(vols)
	if beforeDeadline(s.ctx, func() { r.RefreshProtection(fresh) }) == nil {
		copy(vols, fresh)
	}
}
