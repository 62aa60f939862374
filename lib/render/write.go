package render

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/svccfg/svccfg/internal/parallel"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// WriteDir makes dir hold exactly files (see [Files]) under its kubernetes/
// and envoy/ directories, in two phases. First every new or changed file is
// written to a temporary file beside it (files whose contents are unchanged
// are left alone); if any write fails, the temporary files are removed and
// the manifests in dir are untouched. Then each temporary file is renamed
// into place, so a reader sees either the old or the new contents of a file,
// never a partial one, and .yaml and .json files under kubernetes/ and
// envoy/ that files does not hold (the output of a deleted service) are
// removed. Other files in dir are left alone.
func WriteDir(dir string, files map[string][]byte) error {
	specs := make([]fileSpec, 0, len(files))
	for _, name := range slices.Sorted(maps.Keys(files)) {
		data := files[name]
		specs = append(specs, fileSpec{name, func() ([]byte, error) { return data, nil }})
	}
	return writeTree(dir, specs)
}

// writeTree writes specs under dir in two phases, as WriteDir describes.
func writeTree(dir string, specs []fileSpec) error {
	temps := make([]string, len(specs))  // "" where the file is unchanged
	workers := 2 * runtime.GOMAXPROCS(0) // file system calls block: keep the CPUs busy meanwhile
	var dirs sync.Map                    // directories known to exist
	err := parallel.Do(len(specs), workers, func(i int) error {
		data, err := specs[i].encode()
		if err != nil {
			return err
		}
		temps[i], err = writeTemp(filepath.Join(dir, filepath.FromSlash(specs[i].name)), data, &dirs)
		return err
	})
	if err != nil {
		for _, t := range temps {
			if t != "" {
				os.Remove(t)
			}
		}
		return err
	}
	keep := make(map[string]bool, len(specs))
	for _, s := range specs {
		keep[s.name] = true
	}
	err = parallel.Do(len(specs), workers, func(i int) error {
		if temps[i] == "" {
			return nil
		}
		return os.Rename(temps[i], filepath.Join(dir, filepath.FromSlash(specs[i].name)))
	})
	if err != nil {
		return err
	}
	for _, sub := range []string{"kubernetes", "envoy"} {
		if err := removeStale(dir, sub, keep); err != nil {
			return err
		}
	}
	return nil
}

// tempSeq makes the names of temporary files unique within the process.
var tempSeq atomic.Uint64

// writeTemp writes data to a new temporary file beside path and returns its
// name, or returns "" if path already holds data. dirs holds the
// directories known to exist.
func writeTemp(path string, data []byte, dirs *sync.Map) (string, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return "", nil
	}
	if parent := filepath.Dir(path); !loaded(dirs, parent) {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return "", err
		}
		dirs.Store(parent, true)
	}
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.svccfg-%d-%d.tmp", filepath.Base(path), os.Getpid(), tempSeq.Add(1)))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

func loaded(m *sync.Map, key string) bool {
	_, ok := m.Load(key)
	return ok
}

// removeStale removes the manifest files under dir/sub that files does not
// hold, and directories left empty.
func removeStale(dir, sub string, keep map[string]bool) error {
	top := filepath.Join(dir, sub)
	var dirs []string
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == top {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if keep[filepath.ToSlash(rel)] {
			return nil
		}
		if strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".json") {
			return os.Remove(p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range slices.Backward(dirs) {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			os.Remove(d)
		}
	}
	return nil
}
