// Package load resolves and reads the files that a configuration loads, and
// caches the modules they define. A load reaches only files under the config
// root (no ".." escape, no symlink escape) and the embedded standard library,
// named "@stdlib//file.star".
package load

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/svccfg/svccfg/lib/diag"
)

// StdlibPrefix starts the name of every standard library file.
const StdlibPrefix = "@stdlib//"

// A FileReader resolves the module names that load() is given and reads
// the files they name.
type FileReader interface {
	// Resolve returns the canonical name of the module called name, loaded
	// from the file from.
	Resolve(ctx context.Context, name, from string) (string, error)
	// ReadFile returns the contents of the file with a canonical name.
	ReadFile(ctx context.Context, name string) ([]byte, error)
}

// RootReader reads configuration files under Root (an absolute, clean
// directory) and standard library files from Stdlib. Canonical names are
// absolute OS paths for configuration files and "@stdlib//name.star" for the
// standard library.
//
// Configuration files are read through one [os.Root] of Root, opened at the
// first read and shared by every later one, so that the operating system
// keeps each read under the root: a symbolic link that leads outside it (or
// any absolute one) is refused, however the tree changes while it is read.
// A RootReader is safe for concurrent use.
type RootReader struct {
	Root   string
	Stdlib fs.FS
	// Display names the root in error messages; it defaults to Root.
	Display string
	// Overlay, if not nil, holds the contents of configuration files by
	// canonical name, read in place of the files on disk: the unsaved
	// buffers of an editor. It must not change while the reader is used.
	Overlay map[string][]byte

	once sync.Once
	fs   *os.Root // Root, opened by the first read
	err  error    // of opening it
}

func (r *RootReader) display() string {
	if r.Display != "" {
		return r.Display
	}
	return r.Root
}

// Resolve resolves name: "@stdlib//x.star" names a standard library file,
// "//dir/x.star" a file relative to the config root, and any other name a
// file relative to the directory of from.
func (r *RootReader) Resolve(_ context.Context, name, from string) (string, error) {
	if !strings.HasSuffix(name, ".star") {
		return "", fmt.Errorf("module names end in .star")
	}
	if rest, ok := strings.CutPrefix(name, StdlibPrefix); ok {
		clean := path.Clean("/" + rest)[1:]
		if clean != rest {
			return "", fmt.Errorf("not a standard library file name: want %sNAME.star", StdlibPrefix)
		}
		if strings.HasPrefix(path.Base(clean), "_") && !strings.HasPrefix(from, StdlibPrefix) {
			return "", fmt.Errorf("%s is internal to the standard library", name)
		}
		return name, nil
	}
	if strings.HasPrefix(from, StdlibPrefix) {
		return "", fmt.Errorf("the standard library loads only %s files", StdlibPrefix)
	}
	if strings.Contains(name, "\\") || strings.HasPrefix(name, "/") && !strings.HasPrefix(name, "//") {
		return "", fmt.Errorf("want a path relative to this file, or //path relative to the config root")
	}
	var p string
	if rest, ok := strings.CutPrefix(name, "//"); ok {
		p = filepath.Join(r.Root, filepath.FromSlash(rest))
	} else {
		p = filepath.Join(filepath.Dir(from), filepath.FromSlash(name))
	}
	if !within(r.Root, p) {
		return "", fmt.Errorf("outside the config root %s", r.display())
	}
	return p, nil
}

// ReadFile reads a file with a canonical name. A configuration file must
// lie under the root, and so must every symbolic link on the way to it.
func (r *RootReader) ReadFile(_ context.Context, name string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(name, StdlibPrefix); ok {
		if r.Stdlib == nil {
			return nil, fmt.Errorf("no standard library")
		}
		data, err := fs.ReadFile(r.Stdlib, rest)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no such standard library file%s", r.suggestStdlib(rest))
		}
		return data, err
	}
	if !within(r.Root, name) {
		return nil, fmt.Errorf("outside the config root %s", r.display())
	}
	if data, ok := r.Overlay[name]; ok {
		return data, nil
	}
	r.once.Do(func() { r.fs, r.err = os.OpenRoot(r.Root) })
	if r.err != nil {
		return nil, r.readError(r.err)
	}
	rel, _ := filepath.Rel(r.Root, name)
	for range maxLinks {
		data, err := r.fs.ReadFile(rel)
		if err == nil {
			return data, nil
		}
		if !IsEscape(err) {
			return nil, r.readError(err)
		}
		// The os.Root refuses absolute links, even those that lead
		// back under the root: follow the links one by one, each step
		// read through the os.Root again.
		next, ok := r.followLink(rel)
		if !ok {
			return nil, fmt.Errorf("a symbolic link leads outside the config root %s", r.display())
		}
		rel = next
	}
	return nil, fmt.Errorf("too many symbolic links")
}

// maxLinks bounds the symbolic links that one read follows step by step.
const maxLinks = 40

// readError returns the message of err, from reading a file.
func (r *RootReader) readError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no such file")
	}
	return err
}

// followLink returns the path rel (relative to the root) with its first
// symbolic link replaced by the link's target, made relative to the root,
// if that target is under the root.
func (r *RootReader) followLink(rel string) (string, bool) {
	parts := strings.Split(rel, string(filepath.Separator))
	for i := range parts {
		p := filepath.Join(parts[:i+1]...)
		info, err := r.fs.Lstat(p)
		if err != nil {
			return "", false
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		target, err := r.fs.Readlink(p)
		if err != nil {
			return "", false
		}
		rest := filepath.Join(parts[i+1:]...)
		if !filepath.IsAbs(target) {
			next := filepath.Join(filepath.Dir(p), target, rest)
			return next, within(".", next)
		}
		for _, root := range []string{r.Root, r.realRoot()} {
			if root != "" && within(root, target) {
				t, _ := filepath.Rel(root, target)
				return filepath.Join(t, rest), true
			}
		}
		return "", false
	}
	return "", false
}

// realRoot returns Root with its symbolic links resolved, or "".
func (r *RootReader) realRoot() string {
	real, _ := filepath.EvalSymlinks(r.Root)
	return real
}

// IsEscape reports whether err is an [os.Root]'s refusal of a path that
// leads outside the root.
func IsEscape(err error) bool {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	// The os package does not export this error.
	return err != nil && err.Error() == "path escapes from parent"
}

// suggestStdlib returns " (did you mean @stdlib//x.star?)" for the public
// standard library file nearest to name, or "".
func (r *RootReader) suggestStdlib(name string) string {
	files, _ := fs.Glob(r.Stdlib, "*.star")
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasPrefix(f, "_") })
	if near := diag.Nearest(name, files); near != "" {
		return fmt.Sprintf(" (did you mean %s%s?)", StdlibPrefix, near)
	}
	return ""
}

// within reports whether p is root or a path under it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
