package format

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A PathError reports a PATH argument that names no file to format.
type PathError struct {
	Path string
	Err  error
}

// Error returns "path: reason".
func (e *PathError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *PathError) Unwrap() error { return e.Err }

// Files returns the absolute paths of the files that paths name, relative
// to the directory cwd: a file is itself, whatever its name; a directory
// holds every *.star file under it, in lexical order, except those in
// hidden directories or hidden themselves (names starting with "."), and
// except symbolic links. A file named twice is returned once, first where
// it is named first.
func Files(cwd string, paths []string) ([]string, error) {
	var files []string
	seen := make(map[string]bool)
	for _, p := range paths {
		found, err := expand(cwd, p)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	return files, nil
}

// expand returns the files that path names.
func expand(cwd, path string) ([]string, error) {
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, path)
	}
	abs = filepath.Clean(abs)
	info, err := os.Stat(abs)
	if err != nil {
		return nil, &PathError{Path: path, Err: unwrap(err)}
	}
	if !info.IsDir() {
		return []string{abs}, nil
	}
	var files []string
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := p != abs && strings.HasPrefix(d.Name(), ".")
		if d.IsDir() && hidden {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && !hidden && strings.HasSuffix(d.Name(), ".star") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, &PathError{Path: path, Err: unwrap(err)}
	}
	if len(files) == 0 {
		return nil, &PathError{Path: path, Err: errors.New("no .star files")}
	}
	slices.Sort(files) // WalkDir's order, made explicit
	return files, nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// WriteFile replaces the contents of the file at path with data
// atomically: data goes to a temporary file in the same directory, with the
// file's permissions, which is then renamed over it, so that a reader sees
// the old or the new contents, never a mix. A symbolic link is kept and
// its target replaced.
func WriteFile(path string, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(target)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(info.Mode().Perm())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, target)
	}
	if err != nil {
		os.Remove(tmp)
		return unwrap(err)
	}
	return nil
}
