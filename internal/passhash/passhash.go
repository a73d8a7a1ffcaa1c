// Package passhash hashes and checks the secrets people choose or are given
// to sign in to the dashboard: passwords (argon2id, stored as PHC strings),
// one-time recovery codes, and the minimum policy a new password must meet.
//
// Device secrets and API tokens are random and long, so the root package
// stores a plain SHA-256 of them (handwash.HashSecret). Passwords are chosen
// by people and often guessable, so they need a slow, memory-hard hash that
// makes each guess against a stolen database expensive.
package passhash

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters and sizes a hash was made with.
type Params struct {
	// Memory is in KiB.
	Memory  uint32
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// Default is what new hashes use: the minimum OWASP's Password Storage Cheat
// Sheet recommends for argon2id (19 MiB, 2 passes, 1 lane), which takes tens
// of milliseconds on a small server, with a 16-byte salt and a 32-byte key.
var Default = Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// MaxPasswordBytes bounds the work one sign-in can cause: argon2id reads the
// whole password, so an unbounded one would let anybody make the server hash
// megabytes per request. It is far longer than any password a person types.
const MaxPasswordBytes = 1024

// ErrTooLong is returned by Hash for a password over MaxPasswordBytes.
var ErrTooLong = errors.New("passhash: password is over 1,024 bytes")

// Hash returns the PHC string of password under the Default parameters with
// a fresh random salt.
func Hash(password string) (string, error) {
	return hashWith(password, Default)
}

func hashWith(password string, p Params) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", ErrTooLong
	}
	h := Hashed{Params: p, Salt: make([]byte, p.SaltLen)}
	if err := h.Params.check(); err != nil {
		return "", err
	}
	if _, err := rand.Read(h.Salt); err != nil {
		return "", fmt.Errorf("passhash: no randomness for the salt: %w", err)
	}
	h.Key = argon2.IDKey([]byte(password), h.Salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return h.String(), nil
}

// Verify reports whether password matches the stored PHC string encoded, and,
// when it does, whether the hash was made with parameters weaker than Default
// so that the caller should store Hash(password) in its place. err is set only
// when encoded cannot be used (it names what is wrong with it); a wrong
// password is ok == false with a nil error.
func Verify(password, encoded string) (ok, needsRehash bool, err error) {
	h, err := Parse(encoded)
	if err != nil {
		return false, false, err
	}
	if len(password) > MaxPasswordBytes {
		// Hash never stores such a password, so it cannot match; refusing
		// before hashing keeps the cost of a request bounded.
		return false, false, nil
	}
	key := argon2.IDKey([]byte(password), h.Salt, h.Params.Time, h.Params.Memory, h.Params.Threads, uint32(len(h.Key)))
	if subtle.ConstantTimeCompare(key, h.Key) != 1 {
		return false, false, nil
	}
	return true, h.Params.weakerThan(Default), nil
}

// weakerThan reports whether any cost or size of p is below that of d. A
// hash with stronger parameters than the default is left alone.
func (p Params) weakerThan(d Params) bool {
	return p.Memory < d.Memory || p.Time < d.Time || p.SaltLen < d.SaltLen || p.KeyLen < d.KeyLen
}
