package folder

import (
	"path/filepath"

	"github.com/handwash/handwash/backup"
)

// exposure asks the system whether this user could change the copy: its
// top folder, the folders of the sampled files, and the files themselves.
// It writes nothing.
func exposure(root string, sample []file) backup.Exposure {
	paths := []string{root}
	seen := map[string]bool{root: true}
	for _, f := range sample {
		p := filepath.Join(root, filepath.FromSlash(f.rel))
		for _, q := range []string{filepath.Dir(p), p} {
			if !seen[q] {
				seen[q] = true
				paths = append(paths, q)
			}
		}
	}
	return backup.LocalExposure(root, paths, "the copy")
}
