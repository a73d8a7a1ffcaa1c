package policy

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"

	"github.com/handwash/handwash"
)

// versionFunctions adds version_at_least(version, minimum), which compares
// dotted numeric versions ("15.7.2" >= "15.7"), for controls that need a
// minimum release.
func versionFunctions() cel.EnvOption {
	return cel.Function("version_at_least",
		cel.Overload("version_at_least_string_string", []*cel.Type{cel.StringType, cel.StringType}, cel.BoolType,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val {
				return types.Bool(compareVersions(string(a.(types.String)), string(b.(types.String))) >= 0)
			})))
}

// compareVersions compares dotted versions number by number; a part that is
// not a number compares as text, and a missing part counts as 0.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(strings.TrimSpace(a), "."), strings.Split(strings.TrimSpace(b), ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		x, y := "0", "0"
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		nx, ex := strconv.Atoi(x)
		ny, ey := strconv.Atoi(y)
		switch {
		case ex == nil && ey == nil:
			if nx != ny {
				if nx < ny {
					return -1
				}
				return 1
			}
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return 0
}

// textFunctions add date(timestamp), which reads "14 October 2025",
// age(duration), which reads "3 days" or "5 hours" (rounded down, for how
// old something is), and period(duration), which says a limit exactly
// ("24 hours", "2 days", "36 hours"), for messages.
func textFunctions() cel.EnvOption {
	return cel.Lib(textLib{})
}

type textLib struct{}

func (textLib) CompileOptions() []cel.EnvOption {
	return []cel.EnvOption{
		cel.Function("date",
			cel.Overload("date_timestamp", []*cel.Type{cel.TimestampType}, cel.StringType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					t, ok := v.Value().(time.Time)
					if !ok {
						return types.NewErr("date: not a timestamp")
					}
					if t.IsZero() {
						return types.String("never")
					}
					return types.String(t.UTC().Format("2 January 2006"))
				}))),
		cel.Function("age",
			cel.Overload("age_duration", []*cel.Type{cel.DurationType}, cel.StringType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					d, ok := v.Value().(time.Duration)
					if !ok {
						return types.NewErr("age: not a duration")
					}
					return types.String(ageText(d))
				}))),
		cel.Function("period",
			cel.Overload("period_duration", []*cel.Type{cel.DurationType}, cel.StringType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					d, ok := v.Value().(time.Duration)
					if !ok {
						return types.NewErr("period: not a duration")
					}
					return types.String(periodText(d))
				}))),
		cel.Function("cumulative_due",
			cel.Overload("cumulative_due_timestamp", []*cel.Type{cel.TimestampType}, cel.StringType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					t, ok := v.Value().(time.Time)
					if !ok {
						return types.NewErr("cumulative_due: not a timestamp")
					}
					return types.String(CumulativeDue(t))
				}))),
		cel.Function("release_day",
			cel.Overload("release_day_string", []*cel.Type{cel.StringType}, cel.TimestampType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					t, err := time.Parse("2006-01", string(v.(types.String)))
					if err != nil {
						return types.NewErr("release_day: %q is not a month such as 2026-11", v)
					}
					return types.Timestamp{Time: PatchTuesday(t.Year(), t.Month())}
				}))),
		cel.Function("month_words",
			cel.Overload("month_words_string", []*cel.Type{cel.StringType}, cel.StringType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					t, err := time.Parse("2006-01", string(v.(types.String)))
					if err != nil {
						return types.String(string(v.(types.String)))
					}
					return types.String(t.Format("January 2006"))
				}))),
	}
}

// PatchTuesday is the day Microsoft releases the month's security updates:
// the second Tuesday of the month (at 17:00 UK time, so the day is what
// counts).
func PatchTuesday(year int, month time.Month) time.Time {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	offset := (int(time.Tuesday) - int(first.Weekday()) + 7) % 7
	return first.AddDate(0, 0, offset+7)
}

// CumulativeDue is the month ("2026-11") of the newest monthly security
// update of Windows that must be installed by now: the newest whose
// release day was at least 14 days ago (Cyber Essentials' rule for
// critical and high-risk fixes).
func CumulativeDue(now time.Time) string {
	now = now.UTC()
	y, m := now.Year(), now.Month()
	if now.Before(PatchTuesday(y, m).AddDate(0, 0, 14)) {
		// This month's is not due yet; last month's was due by the 28th
		// at the latest.
		prev := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
		y, m = prev.Year(), prev.Month()
	}
	return fmt.Sprintf("%04d-%02d", y, int(m))
}

func (textLib) ProgramOptions() []cel.ProgramOption { return nil }

// ageText says how long a duration is, in the largest whole unit that fits.
func ageText(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d < 0:
		return "in the future"
	case d >= 48*time.Hour:
		return plural(int(d.Hours()/24), "day")
	case d >= time.Hour:
		return plural(int(d.Hours()), "hour")
	case d >= time.Minute:
		return plural(int(d.Minutes()), "minute")
	}
	return "less than a minute"
}

// softwareFunctions adds items.named(prefixes), which keeps the software
// items whose name begins with one of the prefixes, ignoring case. Controls
// about particular programs use it to narrow a device's 1,500 or so
// packages to a handful before their own tests run: a CEL fold with a
// regular expression per package costs about a microsecond each, which
// made these controls most of the time a device takes to judge. Unknown
// inventories stay unknown, since CEL never calls a function with an
// unknown argument.
func softwareFunctions() cel.EnvOption {
	items := cel.ListType(cel.ObjectType("handwash.SoftwareItem"))
	return cel.Function("named",
		cel.MemberOverload("software_items_named_prefixes", []*cel.Type{items, cel.ListType(cel.StringType)}, items,
			cel.BinaryBinding(namedItems)))
}

func namedItems(list, prefixes ref.Val) ref.Val {
	ps, err := prefixes.ConvertToNative(reflect.TypeOf([]string(nil)))
	if err != nil {
		return types.NewErr("named: the prefixes must be strings")
	}
	want := ps.([]string)
	l, ok := list.(traits.Lister)
	if !ok {
		return types.NewErr("named: not a list of software items")
	}
	hasPrefix := func(name string) bool {
		for _, p := range want {
			if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
				return true
			}
		}
		return false
	}
	var kept []ref.Val
	if native, ok := list.Value().([]handwash.SoftwareItem); ok {
		// The usual case: read names straight from the Facts, and make
		// CEL values only for the items kept.
		for i := range native {
			if hasPrefix(native[i].Name) {
				kept = append(kept, l.Get(types.Int(i)))
			}
		}
	} else {
		for it := l.Iterator(); it.HasNext() == types.True; {
			v := it.Next()
			s, ok := v.Value().(handwash.SoftwareItem)
			if !ok {
				if p, isPtr := v.Value().(*handwash.SoftwareItem); isPtr && p != nil {
					s, ok = *p, true
				}
			}
			if !ok {
				return types.NewErr("named: not a list of software items")
			}
			if hasPrefix(s.Name) {
				kept = append(kept, v)
			}
		}
	}
	return types.NewRefValList(types.DefaultTypeAdapter, kept)
}
