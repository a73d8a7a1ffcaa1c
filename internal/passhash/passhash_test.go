package passhash

import (
	"errors"
	"strings"
	"testing"
)

// cheap keeps tests quick where the cost does not matter.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	const password = "kettle orbit marmalade"
	encoded, err := Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(encoded, want) {
		t.Errorf("Hash = %q, want prefix %q", encoded, want)
	}
	h, err := Parse(encoded)
	if err != nil {
		t.Fatal(err)
	}
	if h.Params != Default {
		t.Errorf("params = %+v, want %+v", h.Params, Default)
	}
	ok, rehash, err := Verify(password, encoded)
	if !ok || rehash || err != nil {
		t.Errorf("Verify(right password) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	for _, wrong := range []string{"", "kettle orbit marmalad", "Kettle orbit marmalade", password + " "} {
		if ok, rehash, err := Verify(wrong, encoded); ok || rehash || err != nil {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, nil", wrong, ok, rehash, err)
		}
	}
	again, err := Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	if again == encoded {
		t.Error("two hashes of one password are the same: the salt is not random")
	}
}

// TestVerifyReference checks hashes made by the reference implementation's
// argon2 command (phc-winner-argon2), so stored hashes work across tools.
func TestVerifyReference(t *testing.T) {
	for _, tc := range []struct {
		password, encoded string
		rehash            bool
	}{
		// argon2 somesalt -id -t 2 -m 16 -p 1 -e (the reference's own test vector)
		{"password", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", true},
		// argon2 saltsaltsaltsalt -id -t 2 -k 19456 -p 1 -l 32 -e
		{"correct horse battery staple", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM", false},
	} {
		ok, rehash, err := Verify(tc.password, tc.encoded)
		if !ok || rehash != tc.rehash || err != nil {
			t.Errorf("Verify(%q, %q) = %v, %v, %v; want true, %v, nil", tc.password, tc.encoded, ok, rehash, err, tc.rehash)
		}
		h, err := Parse(tc.encoded)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.String(); got != tc.encoded {
			t.Errorf("String() = %q, want %q", got, tc.encoded)
		}
	}
}

func TestVerifyNeedsRehash(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params Params
		want   bool
	}{
		{"default", Default, false},
		{"less memory", Params{Memory: Default.Memory - 1, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"fewer passes", Params{Memory: 47104, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"short salt", Params{Memory: Default.Memory, Time: 2, Threads: 1, SaltLen: 8, KeyLen: 32}, true},
		{"short key", Params{Memory: Default.Memory, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 16}, true},
		{"cheap", cheap, true},
		{"stronger", Params{Memory: 2 * Default.Memory, Time: 3, Threads: 2, SaltLen: 32, KeyLen: 64}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			encoded, err := hashWith("pebble lantern cactus", tc.params)
			if err != nil {
				t.Fatal(err)
			}
			ok, rehash, err := Verify("pebble lantern cactus", encoded)
			if !ok || rehash != tc.want || err != nil {
				t.Errorf("Verify = %v, %v, %v; want true, %v, nil", ok, rehash, err, tc.want)
			}
			// A wrong password never asks for a rehash: only the person who
			// knows the password can give the new hash.
			if ok, rehash, err := Verify("pebble lantern cactu", encoded); ok || rehash || err != nil {
				t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestPasswordSizeLimit(t *testing.T) {
	long := strings.Repeat("a", MaxPasswordBytes+1)
	if _, err := Hash(long); !errors.Is(err, ErrTooLong) {
		t.Errorf("Hash(%d bytes) error = %v, want ErrTooLong", len(long), err)
	}
	longest := long[:MaxPasswordBytes]
	encoded, err := hashWith(longest, cheap)
	if err != nil {
		t.Fatalf("hashWith(%d bytes) = %v", len(longest), err)
	}
	if ok, _, err := Verify(longest, encoded); !ok || err != nil {
		t.Errorf("Verify(%d bytes) = %v, %v; want true, nil", len(longest), ok, err)
	}
	if ok, _, err := Verify(long, encoded); ok || err != nil {
		t.Errorf("Verify(%d bytes) = %v, %v; want false, nil", len(long), ok, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	ok, rehash, err := Verify("password", "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	if ok || rehash || !errors.Is(err, ErrMalformed) {
		t.Errorf("Verify(huge m) = %v, %v, %v; want false, false, ErrMalformed", ok, rehash, err)
	}
}

func TestHashWithBadParams(t *testing.T) {
	if _, err := hashWith("x", Params{Memory: 8, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}); !errors.Is(err, ErrMalformed) {
		t.Errorf("hashWith(t=0) error = %v, want ErrMalformed", err)
	}
}

// BenchmarkVerify measures one sign-in check at the default cost.
func BenchmarkVerify(b *testing.B) {
	encoded, err := Hash("kettle orbit marmalade")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := Verify("kettle orbit marmalade", encoded); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
