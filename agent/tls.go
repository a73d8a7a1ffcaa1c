package agent

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ParseFingerprint reads a SHA-256 certificate fingerprint written as hex,
// with or without colons or spaces between the bytes ("AB:CD:…", "abcd…"),
// optionally after "sha256:" or "SHA256 Fingerprint=" as openssl prints it.
func ParseFingerprint(s string) ([]byte, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, label := range []string{"sha256 fingerprint=", "sha256:", "sha256="} {
		if rest, ok := strings.CutPrefix(t, label); ok {
			t = rest
			break
		}
	}
	t = strings.NewReplacer(":", "", " ", "", "-", "").Replace(t)
	b, err := hex.DecodeString(t)
	if err != nil || len(b) != sha256.Size {
		return nil, errors.New("fingerprint: expected the certificate's SHA-256 fingerprint, 64 hexadecimal digits (with or without colons), as 'handwash serve' prints it")
	}
	return b, nil
}

// FormatFingerprint writes a fingerprint as people compare it: "AB:CD:…".
func FormatFingerprint(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02X", c)
	}
	return sb.String()
}

// PinError says the server presented a certificate other than the pinned one.
type PinError struct {
	Got []byte // the SHA-256 of the certificate the server presented
}

func (e *PinError) Error() string {
	return "the server's certificate (SHA-256 " + FormatFingerprint(e.Got) + ") is not the one pinned with --fingerprint"
}

// TLSConfig returns the TLS settings for the server. With a pin, the agent
// trusts exactly the certificate whose DER encoding has that SHA-256 and
// nothing else: no certificate authority, no other certificate for the
// name. That is how a self-signed server certificate is trusted safely.
// Without a pin the system's roots verify the server as browsers do.
func TLSConfig(pin []byte) *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if pin == nil {
		return c
	}
	// Go's own verification is switched off only because VerifyConnection
	// replaces it with a stricter one: the leaf must be the pinned
	// certificate, compared in constant time.
	c.InsecureSkipVerify = true
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the server presented no certificate")
		}
		sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
		if subtle.ConstantTimeCompare(sum[:], pin) != 1 {
			return &PinError{Got: sum[:]}
		}
		return nil
	}
	return c
}
