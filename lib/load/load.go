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
type RootReader struct {
	Root   string
	Stdlib fs.FS
	// Display names the root in error messages; it defaults to Root.
	Display string
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
// still lie under the root once symbolic links are followed.
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
	real, err := filepath.EvalSymlinks(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no such file")
	} else if err != nil {
		return nil, err
	}
	root, err := filepath.EvalSymlinks(r.Root)
	if err != nil {
		return nil, err
	}
	if !within(root, real) {
		return nil, fmt.Errorf("a symbolic link leads outside the config root %s", r.display())
	}
	data, err := os.ReadFile(real)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	return data, nil
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
