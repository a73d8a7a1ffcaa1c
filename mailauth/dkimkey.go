package mailauth

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// DKIMKeyRecord is what a DKIM key record (RFC 6376 section 3.6.1) says.
type DKIMKeyRecord struct {
	// KeyType is "rsa" or "ed25519".
	KeyType string `json:"key_type"`
	// Bits is the RSA modulus length; 256 for an Ed25519 key.
	Bits int `json:"bits"`
	// Revoked is true when p= is empty: the owner has withdrawn the key.
	Revoked bool `json:"revoked,omitempty"`
	// Testing is true for t=y: receivers may treat signed mail as unsigned.
	Testing bool `json:"testing,omitempty"`
	// Hashes lists the h= hash algorithms, when given.
	Hashes []string `json:"hashes,omitempty"`
}

// oidRSA is rsaEncryption, the algorithm of an RSA SubjectPublicKeyInfo.
var oidRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}

// ParseDKIMKey reads a DKIM key record. It measures RSA keys itself rather
// than through crypto/x509, which refuses keys under 1024 bits: those are
// exactly the keys a check has to report, with their size.
func ParseDKIMKey(txt string) (DKIMKeyRecord, error) {
	var k DKIMKeyRecord
	tags, err := parseTagList(txt)
	if err != nil {
		return k, err
	}
	var p *string
	k.KeyType = "rsa"
	for i, t := range tags {
		switch t.Name {
		case "v":
			if i != 0 {
				return k, errors.New("v= must be the first tag")
			}
			if t.Value != "DKIM1" {
				return k, fmt.Errorf("version %q is not DKIM1", clip(t.Value))
			}
		case "k":
			switch t.Value {
			case "rsa", "ed25519":
				k.KeyType = t.Value
			default:
				return k, fmt.Errorf("key type %q is not rsa or ed25519", clip(t.Value))
			}
		case "p":
			v := t.Value
			p = &v
		case "t":
			for _, f := range splitColonList(t.Value) {
				if f == "y" {
					k.Testing = true
				}
			}
		case "h":
			k.Hashes = splitColonList(t.Value)
		case "s":
			if svc := splitColonList(t.Value); !slices.Contains(svc, "*") && !slices.Contains(svc, "email") {
				return k, fmt.Errorf("s=%s says the key is not for email", clip(t.Value))
			}
		}
	}
	if p == nil {
		return k, errors.New("no p= tag with the public key")
	}
	data := removeFWS(*p)
	if data == "" {
		k.Revoked = true
		return k, nil
	}
	der, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		// Some generators leave the padding off.
		if der, err = base64.RawStdEncoding.DecodeString(data); err != nil {
			return k, errors.New("p= is not valid base64")
		}
	}
	switch k.KeyType {
	case "ed25519":
		// RFC 8463: the raw 32-byte key, not wrapped in ASN.1.
		if len(der) != 32 {
			return k, fmt.Errorf("an Ed25519 key is 32 bytes, this one is %d", len(der))
		}
		k.Bits = 256
	default:
		n, err := rsaModulus(der)
		if err != nil {
			return k, err
		}
		k.Bits = n.BitLen()
	}
	return k, nil
}

// rsaModulus reads the modulus of an RSA public key given either as a
// SubjectPublicKeyInfo or, as RFC 6376 erratum 3017 allows, as a bare
// PKCS #1 RSAPublicKey.
func rsaModulus(der []byte) (*big.Int, error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &spki); err == nil && len(rest) == 0 {
		if !spki.Algorithm.Algorithm.Equal(oidRSA) {
			return nil, errors.New("p= holds a key that is not RSA, but k= says rsa")
		}
		der = spki.PublicKey.RightAlign()
	}
	var pub struct {
		N *big.Int
		E *big.Int
	}
	rest, err := asn1.Unmarshal(der, &pub)
	if err != nil || len(rest) != 0 || pub.N == nil || pub.N.Sign() <= 0 || pub.E == nil || pub.E.Sign() <= 0 {
		return nil, errors.New("p= is not an RSA public key")
	}
	return pub.N, nil
}

// splitColonList splits a DKIM colon-separated list, dropping white space.
func splitColonList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ":") {
		if f = trimFWS(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
