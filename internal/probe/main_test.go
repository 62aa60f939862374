package probe

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/svccfg/svccfg/internal/parallel"
)

func TestProbe(t *testing.T) {
	root := "/tmp/lintwork/tree"
	dirs, _ := os.ReadDir(root)
	type job struct{ dir string; names []string }
	var jobs []job
	var paths []string
	for _, d := range dirs {
		if !d.IsDir() { continue }
		es, _ := os.ReadDir(filepath.Join(root, d.Name()))
		j := job{dir: filepath.Join(root, d.Name())}
		for _, e := range es { j.names = append(j.names, e.Name()); paths = append(paths, filepath.Join(j.dir, e.Name())) }
		jobs = append(jobs, j)
	}
	for i := 0; i < 6; i++ {
		start := time.Now()
		parallel.Do(len(paths), 0, func(i int) error {
			var buf [4096]byte
			fd, err := syscall.Open(paths[i], syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
			if err != nil { return err }
			syscall.Read(fd, buf[:])
			syscall.Close(fd)
			return nil
		})
		abs := time.Since(start)
		start = time.Now()
		parallel.Do(len(jobs), 0, func(i int) error {
			var buf [4096]byte
			dfd, err := syscall.Open(jobs[i].dir, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_DIRECTORY, 0)
			if err != nil { return err }
			defer syscall.Close(dfd)
			for _, n := range jobs[i].names {
				fd, err := syscall.Openat(dfd, n, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
				if err != nil { return err }
				syscall.Read(fd, buf[:])
				syscall.Close(fd)
			}
			return nil
		})
		rel := time.Since(start)
		t.Log("abs", abs, "openat", rel)
	}
}
