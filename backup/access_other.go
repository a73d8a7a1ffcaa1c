//go:build !unix

package backup

// Modifiable cannot yet tell on this system (Windows keeps permissions in
// access control lists, which Handwash does not read yet): known is false.
func Modifiable(paths []string) (known bool, writable []string) {
	return false, nil
}
