package password

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropFromCache asks Linux to drop this one file's pages from the page
// cache, so that reading it goes to the disk.
func dropFromCache(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
