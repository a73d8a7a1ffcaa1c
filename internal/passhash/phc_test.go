package passhash

import (
	"errors"
	"strings"
	"testing"
)

const (
	goodSalt = "c2FsdHNhbHRzYWx0c2FsdA"                      // 16 bytes
	goodKey  = "QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM" // 32 bytes
	good     = "$argon2id$v=19$m=19456,t=2,p=1$" + goodSalt + "$" + goodKey
)

func TestParse(t *testing.T) {
	for _, s := range []string{
		good,
		"$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA",                               // smallest of everything
		"$argon2id$v=19$m=262144,t=10,p=8$" + strings.Repeat("A", 86) + "$" + strings.Repeat("A", 86), // largest
	} {
		h, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(%q) error: %v", s, err)
			continue
		}
		if got := h.String(); got != s {
			t.Errorf("Parse(%q).String() = %q", s, got)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "does not start with $argon2id$"},
		{"no dollar", "argon2id$v=19$m=19456,t=2,p=1$" + goodSalt + "$" + goodKey, "does not start with $argon2id$"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", `algorithm "2a"`},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + goodSalt + "$" + goodKey, `algorithm "argon2i"`},
		{"too long", "$argon2id$v=19$m=19456,t=2,p=1$" + strings.Repeat("A", 300), "over the limit of 256"},
		{"missing part", "$argon2id$v=19$m=19456,t=2,p=1$" + goodSalt, "has 4 parts"},
		{"extra part", good + "$", "has 6 parts"},
		{"no version", "$argon2id$m=19456,t=2,p=1$" + goodSalt + "$" + goodKey + "$x", "version v=19 is missing"},
		{"old version", "$argon2id$v=16$m=19456,t=2,p=1$" + goodSalt + "$" + goodKey, "version v=16"},
		{"version zero padded", "$argon2id$v=019$m=19456,t=2,p=1$" + goodSalt + "$" + goodKey, "version v=019"},
		{"two params", "$argon2id$v=19$m=19456,t=2$" + goodSalt + "$" + goodKey, "are not m=…,t=…,p=…"},
		{"order", "$argon2id$v=19$t=2,m=19456,p=1$" + goodSalt + "$" + goodKey, "parameter 1 is \"t=2\"; want m="},
		{"leading zero", "$argon2id$v=19$m=019456,t=2,p=1$" + goodSalt + "$" + goodKey, "m=019456: the value has a leading zero"},
		{"sign", "$argon2id$v=19$m=+19456,t=2,p=1$" + goodSalt + "$" + goodKey, "not a whole number"},
		{"empty value", "$argon2id$v=19$m=,t=2,p=1$" + goodSalt + "$" + goodKey, "m=: the value is empty"},
		{"overflow", "$argon2id$v=19$m=4294967296,t=2,p=1$" + goodSalt + "$" + goodKey, "too large"},
		{"memory", "$argon2id$v=19$m=4294967295,t=2,p=1$" + goodSalt + "$" + goodKey, "memory m=4294967295 KiB is over the limit of 262144 KiB"},
		{"memory just over", "$argon2id$v=19$m=262145,t=2,p=1$" + goodSalt + "$" + goodKey, "memory m=262145 KiB is over the limit of 262144 KiB"},
		{"memory per lane", "$argon2id$v=19$m=15,t=2,p=2$" + goodSalt + "$" + goodKey, "m=15 KiB is below the minimum of 8 KiB per lane (16)"},
		{"passes zero", "$argon2id$v=19$m=19456,t=0,p=1$" + goodSalt + "$" + goodKey, "passes t=0 is below the minimum of 1"},
		{"passes", "$argon2id$v=19$m=19456,t=11,p=1$" + goodSalt + "$" + goodKey, "passes t=11 is over the limit of 10"},
		{"lanes zero", "$argon2id$v=19$m=19456,t=2,p=0$" + goodSalt + "$" + goodKey, "parallelism p=0 is below the minimum of 1"},
		{"lanes", "$argon2id$v=19$m=19456,t=2,p=9$" + goodSalt + "$" + goodKey, "parallelism p=9 is over the limit of 8"},
		{"lanes wrap", "$argon2id$v=19$m=19456,t=2,p=257$" + goodSalt + "$" + goodKey, "parallelism p=257 is over the limit of 8"},
		{"salt padded", "$argon2id$v=19$m=19456,t=2,p=1$" + goodSalt + "==$" + goodKey, "salt is not unpadded standard base64"},
		{"salt url alphabet", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2Fsd_$" + goodKey, "salt is not unpadded standard base64"},
		{"salt newline", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRz\nYWx0c2FsdA$" + goodKey, "salt is not unpadded standard base64"},
		{"salt stray bits", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdB$" + goodKey, "salt is not unpadded standard base64"},
		{"salt short", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + goodKey, "salt is 4 bytes; it must be 8 to 64"},
		{"hash bad", "$argon2id$v=19$m=19456,t=2,p=1$" + goodSalt + "$" + goodKey + "!", "hash is not unpadded standard base64"},
		{"hash short", "$argon2id$v=19$m=19456,t=2,p=1$" + goodSalt + "$AAAAAAAAAAAAAAAAAAAA", "hash is 15 bytes; it must be 16 to 64"},
		{"hash long", "$argon2id$v=19$m=19456,t=2,p=1$" + goodSalt + "$" + strings.Repeat("A", 88), "hash is 66 bytes; it must be 16 to 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tc.in, h)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), goodKey) || strings.Contains(err.Error(), goodSalt) {
				t.Errorf("error %q shows the salt or hash", err)
			}
		})
	}
}

// FuzzParse checks that Parse never panics, that whatever it accepts is
// within the limits, and that an accepted string has exactly one spelling.
func FuzzParse(f *testing.F) {
	f.Add(good)
	f.Add("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=4294967295,t=4294967295,p=255$$")
	f.Add("$argon2i$v=19$m=19456,t=2,p=1$" + goodSalt + "$" + goodKey)
	f.Add("$$$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrMalformed", s, err)
			}
			return
		}
		p := h.Params
		if p.Memory > MaxMemory || p.Time > MaxTime || p.Threads > MaxThreads || p.Time < 1 || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) {
			t.Fatalf("Parse(%q) accepted params %+v outside the limits", s, p)
		}
		if len(h.Salt) < MinSaltLen || len(h.Salt) > MaxSaltLen || len(h.Key) < MinKeyLen || len(h.Key) > MaxKeyLen {
			t.Fatalf("Parse(%q) accepted salt %d bytes, key %d bytes", s, len(h.Salt), len(h.Key))
		}
		if got := h.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q: two spellings of one hash", s, got)
		}
	})
}
