//go:build !linux

package lint

import "os"

// statFile returns the key of the file at path (its size and modification
// time), or the zero key.
func statFile(path string) fileKey {
	fi, err := os.Lstat(path)
	if err != nil {
		return fileKey{}
	}
	return fileKey{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}
