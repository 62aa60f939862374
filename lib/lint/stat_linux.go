package lint

import "syscall"

// statFile returns the key of the file at path, or the zero key.
func statFile(path string) fileKey {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return fileKey{}
	}
	return fileKey{size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), ino: st.Ino}
}
