//go:build windows

package collect

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	ole "github.com/go-ole/go-ole"
	"github.com/go-ole/go-ole/oleutil"
)

// wuaHistoryLimit bounds how much history is read: the newest entries are
// enough to find the last install, and a long history is slow to walk.
const wuaHistoryLimit = 300

// wuaSearch asks for software updates that are not installed and not
// hidden. With Online false the agent answers from what it learnt at its
// last scan, in seconds and without the network.
const wuaSearch = "IsInstalled=0 and IsHidden=0 and Type='Software'"

// queryWUA asks the Windows Update Agent (Microsoft.Update.Session, no
// administrator rights needed) for its history, the updates it knows are
// missing, and when it last searched. COM objects belong to the thread
// that made them, so the goroutine stays on one thread.
func queryWUA() (st wuaState, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := ole.CoInitializeEx(0, ole.COINIT_APARTMENTTHREADED); err != nil {
		var oe *ole.OleError
		// S_FALSE: COM was already initialised on this thread.
		if !errors.As(err, &oe) || oe.Code() != 1 {
			return st, fmt.Errorf("CoInitializeEx: %w", err)
		}
	}
	defer ole.CoUninitialize()

	session, err := createDispatch("Microsoft.Update.Session")
	if err != nil {
		return st, err
	}
	defer session.Release()
	_, _ = oleutil.PutProperty(session, "ClientApplicationID", "Handwash")
	searcher, err := callDispatch(session, "CreateUpdateSearcher")
	if err != nil {
		return st, err
	}
	defer searcher.Release()

	st.History, st.HistoryErr = wuaHistory(searcher)
	st.Pending, st.PendingErr = wuaPending(searcher)

	au, err := createDispatch("Microsoft.Update.AutoUpdate")
	if err != nil {
		st.ResultsErr = err
		return st, nil
	}
	defer au.Release()
	res, err := getDispatch(au, "Results")
	if err != nil {
		st.ResultsErr = err
		return st, nil
	}
	defer res.Release()
	if t, ok := propTime(res, "LastSearchSuccessDate"); ok {
		st.LastSearch = &t
	}
	if t, ok := propTime(res, "LastInstallationSuccessDate"); ok {
		st.LastInstall = &t
	}
	return st, nil
}

func wuaHistory(searcher *ole.IDispatch) ([]wuaHistoryEntry, error) {
	v, err := oleutil.CallMethod(searcher, "GetTotalHistoryCount")
	if err != nil {
		return nil, fmt.Errorf("GetTotalHistoryCount: %w", err)
	}
	count := int(toInt64(v.Value()))
	v.Clear()
	count = min(count, wuaHistoryLimit)
	if count == 0 {
		return []wuaHistoryEntry{}, nil
	}
	hist, err := callDispatch(searcher, "QueryHistory", 0, count)
	if err != nil {
		return nil, err
	}
	defer hist.Release()
	var out []wuaHistoryEntry
	err = eachItem(hist, func(e *ole.IDispatch) {
		h := wuaHistoryEntry{
			Operation:  int(propInt(e, "Operation")),
			ResultCode: int(propInt(e, "ResultCode")),
			Title:      propString(e, "Title"),
			Categories: categoryIDs(e),
		}
		if t, ok := propTime(e, "Date"); ok {
			h.Date = t.UTC().Format(time.RFC3339)
		}
		out = append(out, h)
	})
	return out, err
}

func wuaPending(searcher *ole.IDispatch) ([]wuaUpdate, error) {
	if _, err := oleutil.PutProperty(searcher, "Online", false); err != nil {
		return nil, fmt.Errorf("Online: %w", err)
	}
	result, err := callDispatch(searcher, "Search", wuaSearch)
	if err != nil {
		return nil, err
	}
	defer result.Release()
	updates, err := getDispatch(result, "Updates")
	if err != nil {
		return nil, err
	}
	defer updates.Release()
	out := []wuaUpdate{}
	err = eachItem(updates, func(u *ole.IDispatch) {
		w := wuaUpdate{
			Title:        propString(u, "Title"),
			MsrcSeverity: propString(u, "MsrcSeverity"),
			Categories:   categoryIDs(u),
		}
		if t, ok := propTime(u, "LastDeploymentChangeTime"); ok {
			w.LastDeploymentChangeTime = t.UTC().Format(time.RFC3339)
		}
		if kbs, err := getDispatch(u, "KBArticleIDs"); err == nil {
			n := int(propInt(kbs, "Count"))
			for i := 0; i < n; i++ {
				if v, err := oleutil.GetProperty(kbs, "Item", i); err == nil {
					if s, ok := v.Value().(string); ok {
						w.KBArticleIDs = append(w.KBArticleIDs, s)
					}
					v.Clear()
				}
			}
			kbs.Release()
		}
		out = append(out, w)
	})
	return out, err
}

// categoryIDs lists an update's category IDs; their names are localised.
func categoryIDs(d *ole.IDispatch) []string {
	cats, err := getDispatch(d, "Categories")
	if err != nil {
		return nil
	}
	defer cats.Release()
	var ids []string
	_ = eachItem(cats, func(c *ole.IDispatch) {
		if id := propString(c, "CategoryID"); id != "" {
			ids = append(ids, strings.ToLower(id))
		}
	})
	return ids
}

// eachItem calls fn with every item of a WUA collection (Count, Item(i)).
func eachItem(coll *ole.IDispatch, fn func(*ole.IDispatch)) error {
	n := int(propInt(coll, "Count"))
	for i := 0; i < n; i++ {
		v, err := oleutil.GetProperty(coll, "Item", i)
		if err != nil {
			return fmt.Errorf("Item(%d): %w", i, err)
		}
		if d := v.ToIDispatch(); d != nil {
			fn(d)
		}
		v.Clear()
	}
	return nil
}

func createDispatch(progID string) (*ole.IDispatch, error) {
	unk, err := oleutil.CreateObject(progID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", progID, err)
	}
	defer unk.Release()
	d, err := unk.QueryInterface(ole.IID_IDispatch)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", progID, err)
	}
	return d, nil
}

// callDispatch calls a method that returns an object. The caller releases it.
func callDispatch(d *ole.IDispatch, name string, args ...any) (*ole.IDispatch, error) {
	v, err := oleutil.CallMethod(d, name, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r := v.ToIDispatch()
	if r == nil {
		v.Clear()
		return nil, fmt.Errorf("%s returned no object", name)
	}
	return r, nil
}

// getDispatch reads a property that is an object. The caller releases it.
func getDispatch(d *ole.IDispatch, name string) (*ole.IDispatch, error) {
	v, err := oleutil.GetProperty(d, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r := v.ToIDispatch()
	if r == nil {
		v.Clear()
		return nil, fmt.Errorf("%s is empty", name)
	}
	return r, nil
}

func propString(d *ole.IDispatch, name string) string {
	v, err := oleutil.GetProperty(d, name)
	if err != nil {
		return ""
	}
	defer v.Clear()
	s, _ := v.Value().(string)
	return s
}

func propInt(d *ole.IDispatch, name string) int64 {
	v, err := oleutil.GetProperty(d, name)
	if err != nil {
		return 0
	}
	defer v.Clear()
	return toInt64(v.Value())
}

func propTime(d *ole.IDispatch, name string) (time.Time, bool) {
	v, err := oleutil.GetProperty(d, name)
	if err != nil {
		return time.Time{}, false
	}
	defer v.Clear()
	t, ok := v.Value().(time.Time)
	return t, ok && t.Year() > 1601
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case uint64:
		return int64(n)
	}
	return 0
}
