// Command fsfloor is the filesystem floor of `svccfg build -o` in
// `make bench`: it reads a finished output tree of svccfg into memory
// (untimed), then writes the same bytes to the same paths under a fresh
// directory the way svccfg writes them (each file to a temporary file beside
// it, then renamed into place), and prints the time the writing took, from
// the first directory created to the last rename, as
//
//	fsfloor: FILES files, BYTES bytes, written in SECONDS s
//
// on stdout. Nothing but the writing is timed: no encoding, no reading of
// what is already there.
//
// -mode chooses how:
//
//	two-phase  as svccfg's lib/render does today: every temporary file on
//	           -workers goroutines, then every rename one after another (the
//	           default: the fastest atomic way measured here)
//	parallel   each of -workers goroutines writes a file's temporary file
//	           and renames it, then takes the next file (slower on ext4:
//	           the renames contend for the one directory of 10,000 files)
//	direct     each file written in place, no temporary file (not atomic:
//	           what svccfg's contract does not allow; for comparison)
//
// Usage:
//
//	fsfloor -from OUT -o FRESH
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/svccfg/svccfg/internal/parallel"
)

func main() {
	from := flag.String("from", "", "svccfg output `dir` to copy (required)")
	out := flag.String("o", "", "new output `dir` (required; must not exist)")
	mode := flag.String("mode", "two-phase", "how to write: two-phase, parallel or direct")
	workers := flag.Int("workers", 2*runtime.GOMAXPROCS(0), "goroutines writing files")
	flag.Parse()
	if *from == "" || *out == "" || *workers < 1 || !slices.Contains([]string{"parallel", "two-phase", "direct"}, *mode) {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*from, *out, *mode, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "fsfloor:", err)
		os.Exit(1)
	}
}

// A file is one file of the output tree.
type file struct {
	rel  string
	data []byte
}

func run(from, out, mode string, workers int) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists: the floor is of writing into a fresh directory", out)
	}
	files, dirs, size, err := readTree(from)
	if err != nil {
		return err
	}
	start := time.Now()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(out, d), 0o755); err != nil {
			return err
		}
	}
	switch mode {
	case "parallel":
		err = parallel.Do(len(files), workers, func(i int) error {
			p := filepath.Join(out, files[i].rel)
			tmp, err := writeTemp(p, i, files[i].data)
			if err != nil {
				return err
			}
			return os.Rename(tmp, p)
		})
	case "two-phase":
		temps := make([]string, len(files))
		err = parallel.Do(len(files), workers, func(i int) error {
			var err error
			temps[i], err = writeTemp(filepath.Join(out, files[i].rel), i, files[i].data)
			return err
		})
		for i := 0; err == nil && i < len(files); i++ {
			err = os.Rename(temps[i], filepath.Join(out, files[i].rel))
		}
	case "direct":
		err = parallel.Do(len(files), workers, func(i int) error {
			return os.WriteFile(filepath.Join(out, files[i].rel), files[i].data, 0o644)
		})
	}
	if err != nil {
		return err
	}
	fmt.Printf("fsfloor: %d files, %d bytes, written in %.6f s\n", len(files), size, time.Since(start).Seconds())
	return nil
}

// readTree returns the regular files under dir, sorted, the directories
// that hold them, and their total size.
func readTree(dir string) (files []file, dirs []string, size int, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, rel)
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, file{rel, data})
		size += len(data)
		return nil
	})
	return files, dirs, size, err
}

// writeTemp writes data to a new temporary file beside path, named as
// svccfg names its own, and returns its name.
func writeTemp(path string, seq int, data []byte) (string, error) {
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.svccfg-%d-%d.tmp", filepath.Base(path), os.Getpid(), seq))
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
