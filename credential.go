package handwash

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"strings"
)

// idEncoding writes random IDs and secrets in lower-case base32: safe in
// URLs, file names and credentials, and unambiguous when read aloud.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random ID with a prefix naming its kind, e.g.
// NewID("org") = "org_k3j9d0…" (80 random bits).
func NewID(prefix string) string {
	return prefix + "_" + randomText(10)
}

// NewSecret returns a random secret of 160 bits.
func NewSecret() string { return randomText(20) }

func randomText(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("handwash: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return idEncoding.EncodeToString(b)
}

// HashSecret is how secrets are stored. Secrets are 160 random bits, so a
// plain SHA-256 is enough; passwords, chosen by people, use argon2id instead.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// SecretMatches compares a presented secret with a stored hash in constant time.
func SecretMatches(secret string, hash []byte) bool {
	return len(hash) == sha256.Size && subtle.ConstantTimeCompare(HashSecret(secret), hash) == 1
}

// Credential joins a kind prefix, an ID and a secret into what a client
// sends: "hwt_tok_abc…_secret".
func Credential(prefix, id, secret string) string {
	return prefix + "_" + id + "_" + secret
}

// ParseCredential splits a credential into its ID and secret, and reports
// whether it has the expected prefix and shape.
func ParseCredential(prefix, credential string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(credential, prefix+"_")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '_')
	if i <= 0 || i == len(rest)-1 {
		return "", "", false
	}
	id, secret = rest[:i], rest[i+1:]
	if len(id) > 64 || len(secret) > 64 {
		return "", "", false
	}
	return id, secret, true
}
