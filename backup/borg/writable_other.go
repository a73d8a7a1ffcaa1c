//go:build !unix

package borg

import "errors"

// changeable cannot yet tell on this system whether this account could
// change the repository's files.
func changeable(dir string) (where string, known bool, err error) {
	return "", false, errors.New("Handwash cannot yet check folder permissions on this system")
}
