package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// sumsFile lists the SHA-256 of every binary and SBOM, as sha256sum writes
// it, so that `sha256sum --check SHA256SUMS` checks a download.
const sumsFile = "SHA256SUMS"

// The signing key file holds one line: the base64 of an Ed25519 private
// key, either its 32-byte seed or Go's 64-byte form (seed then public key).

// parseSigningKey reads a signing key from its text.
func parseSigningKey(text string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, errors.New("the signing key is not base64 (it should be one line, as --gen-key writes it)")
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		key := ed25519.NewKeyFromSeed(b[:ed25519.SeedSize])
		if !slices.Equal(key[ed25519.SeedSize:], b[ed25519.SeedSize:]) {
			return nil, errors.New("the signing key's public half does not match its private half")
		}
		return key, nil
	}
	return nil, fmt.Errorf("the signing key is %d bytes, not an Ed25519 key (32 or 64 bytes)", len(b))
}

// readSigningKey reads a signing key file.
func readSigningKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--signing-key: %w", err)
	}
	key, err := parseSigningKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("--signing-key %s: %w", path, err)
	}
	return key, nil
}

// generateKey writes a new signing key to path, readable only by its owner,
// and prints its public key.
func generateKey(path string, stdout io.Writer) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists: the build will not overwrite a signing key", path)
	} else if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(priv.Seed())); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote a new release signing key to %s (keep it secret, and keep a copy somewhere safe).\n", path)
	fmt.Fprintf(stdout, "Its public key, which each release build embeds for the agent:\n%s\n", base64.StdEncoding.EncodeToString(pub))
	return nil
}

// fileDigest is the SHA-256 of a file.
func fileDigest(path string) ([sha256.Size]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [sha256.Size]byte{}, err
	}
	return [sha256.Size]byte(h.Sum(nil)), nil
}

// signature is the text of path's .sig file: the base64 of the Ed25519
// signature over the file's 32-byte SHA-256 digest, on one line.
func signature(key ed25519.PrivateKey, digest [sha256.Size]byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, digest[:])) + "\n"
}

// verifySignature checks a .sig file's text against a file's digest, as the
// agent does before it installs an update.
func verifySignature(pub ed25519.PublicKey, digest [sha256.Size]byte, sig string) bool {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
	return err == nil && ed25519.Verify(pub, digest[:], b)
}

// signFile writes path.sig and checks it.
func signFile(path string, key ed25519.PrivateKey) error {
	digest, err := fileDigest(path)
	if err != nil {
		return err
	}
	sig := signature(key, digest)
	if !verifySignature(key.Public().(ed25519.PublicKey), digest, sig) {
		return fmt.Errorf("the signature of %s does not verify", filepath.Base(path))
	}
	return os.WriteFile(path+".sig", []byte(sig), 0o644)
}

// writeSums writes SHA256SUMS for the named files in dir, sorted by name.
func writeSums(dir string, names []string) error {
	names = slices.Sorted(slices.Values(names))
	var b strings.Builder
	for _, name := range names {
		digest, err := fileDigest(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(digest[:]), name)
	}
	return os.WriteFile(filepath.Join(dir, sumsFile), []byte(b.String()), 0o644)
}
