package passhash

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Limits on what a stored hash may ask for. A hash string is data, and data
// can be corrupted or planted: without limits one row with m=4294967295
// would make every sign-in attempt for that user allocate 4 TiB. The limits
// are generous enough for RFC 9106's second recommendation (64 MiB, 3 passes,
// 4 lanes) and several times OWASP's minimum.
const (
	// MaxMemory is the most memory, in KiB, a stored hash may use (256 MiB).
	MaxMemory = 256 * 1024
	// MaxTime is the most passes a stored hash may ask for.
	MaxTime = 10
	// MaxThreads is the most lanes a stored hash may ask for.
	MaxThreads = 8
	// MinSaltLen and MaxSaltLen bound the salt, in bytes (RFC 9106 asks for
	// at least 8; 16 is recommended).
	MinSaltLen, MaxSaltLen = 8, 64
	// MinKeyLen and MaxKeyLen bound the hash itself, in bytes.
	MinKeyLen, MaxKeyLen = 16, 64
	// MaxEncodedLen is the longest PHC string Parse reads.
	MaxEncodedLen = 256
)

// ErrMalformed is wrapped by every error Parse returns, so callers can tell a
// stored hash that cannot be used from other failures.
var ErrMalformed = errors.New("passhash: stored password hash cannot be used")

// phcEncoding is the PHC string format's base64: standard alphabet, no
// padding. Strict rejects encodings with stray low bits, so that one hash has
// exactly one spelling.
var phcEncoding = base64.RawStdEncoding.Strict()

// Hashed is a parsed argon2id PHC string.
type Hashed struct {
	Params Params
	Salt   []byte
	Key    []byte
}

// String returns the PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func (h Hashed) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.Params.Memory, h.Params.Time, h.Params.Threads,
		phcEncoding.EncodeToString(h.Salt), phcEncoding.EncodeToString(h.Key))
}

// Parse reads an argon2id PHC string strictly: version 19 only, parameters
// m, t and p in that order and within the limits above, canonical base64.
// Anything else is an error that says which part is wrong (never the salt or
// hash themselves).
func Parse(encoded string) (Hashed, error) {
	var h Hashed
	if len(encoded) > MaxEncodedLen {
		return h, malformed("it is %d bytes long, over the limit of %d", len(encoded), MaxEncodedLen)
	}
	fields := strings.Split(encoded, "$")
	if fields[0] != "" || len(fields) < 2 {
		return h, malformed("it does not start with $argon2id$")
	}
	if fields[1] != "argon2id" {
		return h, malformed("it uses the algorithm %q; only argon2id is supported", shorten(fields[1]))
	}
	if len(fields) != 6 {
		return h, malformed("it has %d parts separated by $, want 5: $argon2id$v=19$m=…,t=…,p=…$salt$hash", len(fields)-1)
	}
	v, ok := strings.CutPrefix(fields[2], "v=")
	if !ok {
		return h, malformed("the version v=%d is missing after $argon2id$", argon2.Version)
	}
	if v != strconv.Itoa(argon2.Version) {
		return h, malformed("it has version v=%s; only v=%d (Argon2 1.3) is supported", shorten(v), argon2.Version)
	}
	params := strings.Split(fields[3], ",")
	if len(params) != 3 {
		return h, malformed("the parameters %q are not m=…,t=…,p=…", shorten(fields[3]))
	}
	var nums [3]uint32
	for i, name := range []string{"m", "t", "p"} {
		val, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return h, malformed("parameter %d is %q; want %s=… (the order is m, t, p)", i+1, shorten(params[i]), name)
		}
		n, err := parseDecimal(val)
		if err != nil {
			return h, malformed("parameter %s=%s: %v", name, shorten(val), err)
		}
		nums[i] = n
	}
	if nums[2] > MaxThreads {
		// Checked here as well as in check, because Threads is a uint8.
		return h, malformed("parallelism p=%d is over the limit of %d", nums[2], MaxThreads)
	}
	h.Params.Memory, h.Params.Time, h.Params.Threads = nums[0], nums[1], uint8(nums[2])
	var err error
	if h.Salt, err = decodeBase64(fields[4]); err != nil {
		return Hashed{}, malformed("the salt is not unpadded standard base64")
	}
	if h.Key, err = decodeBase64(fields[5]); err != nil {
		return Hashed{}, malformed("the hash is not unpadded standard base64")
	}
	h.Params.SaltLen, h.Params.KeyLen = uint32(len(h.Salt)), uint32(len(h.Key))
	if err := h.Params.check(); err != nil {
		return Hashed{}, err
	}
	return h, nil
}

// check reports the first parameter outside the limits.
func (p Params) check() error {
	switch {
	case p.Threads < 1:
		return malformed("parallelism p=%d is below the minimum of 1", p.Threads)
	case p.Threads > MaxThreads:
		return malformed("parallelism p=%d is over the limit of %d", p.Threads, MaxThreads)
	case p.Time < 1:
		return malformed("passes t=%d is below the minimum of 1", p.Time)
	case p.Time > MaxTime:
		return malformed("passes t=%d is over the limit of %d", p.Time, MaxTime)
	case p.Memory < 8*uint32(p.Threads):
		// Argon2 needs 8 KiB per lane; below that the library silently
		// raises m, so the string would not say what was computed.
		return malformed("memory m=%d KiB is below the minimum of 8 KiB per lane (%d)", p.Memory, 8*uint32(p.Threads))
	case p.Memory > MaxMemory:
		return malformed("memory m=%d KiB is over the limit of %d KiB", p.Memory, MaxMemory)
	case p.SaltLen < MinSaltLen || p.SaltLen > MaxSaltLen:
		return malformed("the salt is %d bytes; it must be %d to %d", p.SaltLen, MinSaltLen, MaxSaltLen)
	case p.KeyLen < MinKeyLen || p.KeyLen > MaxKeyLen:
		return malformed("the hash is %d bytes; it must be %d to %d", p.KeyLen, MinKeyLen, MaxKeyLen)
	}
	return nil
}

// parseDecimal reads a PHC decimal: digits only, no sign and no leading zero,
// so that each value has one spelling.
func parseDecimal(s string) (uint32, error) {
	if s == "" {
		return 0, errors.New("the value is empty")
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, errors.New("the value has a leading zero")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("the value is not a whole number")
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.New("the value is too large")
	}
	return uint32(n), nil
}

// decodeBase64 decodes canonical unpadded base64. The standard decoder
// skips CR and LF, so the result is encoded again and compared.
func decodeBase64(s string) ([]byte, error) {
	b, err := phcEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if phcEncoding.EncodeToString(b) != s {
		return nil, errors.New("not canonical base64")
	}
	return b, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// shorten keeps quoted parts of a bad string short in error messages.
func shorten(s string) string {
	const limit = 24
	if len(s) > limit {
		return s[:limit] + "…"
	}
	return s
}
