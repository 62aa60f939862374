// Package diag defines the positioned errors that every phase of svccfg
// reports, and prints them in one format: `path:line:col: message`, with the
// path relative to the working directory, followed by the Starlark call chain
// on tab-indented lines.
package diag

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// A Position is a place in a source file. Line and Col are 1-based (Col
// counts runes); zero means unknown. File is an absolute OS path, or a
// "@stdlib//" name for a file of the embedded standard library.
type Position struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p names a file.
func (p Position) IsValid() bool { return p.File != "" }

// String returns p as "file:line:col", dropping unknown parts.
func (p Position) String() string { return p.Format("") }

// Format returns p as "file:line:col" with File made relative to cwd when
// cwd is not empty.
func (p Position) Format(cwd string) string {
	var b strings.Builder
	b.WriteString(RelPath(p.File, cwd))
	if p.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.Line))
		if p.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Col))
		}
	}
	return b.String()
}

// Compare orders positions by file, line and column.
func (p Position) Compare(q Position) int {
	return cmp.Or(strings.Compare(p.File, q.File), cmp.Compare(p.Line, q.Line), cmp.Compare(p.Col, q.Col))
}

// RelPath returns file relative to cwd, slash-separated, when file is an
// absolute path under cwd or near it; other names are returned unchanged.
func RelPath(file, cwd string) string {
	if cwd == "" || !filepath.IsAbs(file) {
		return filepath.ToSlash(file)
	}
	rel, err := filepath.Rel(cwd, file)
	if err != nil {
		return filepath.ToSlash(file)
	}
	return filepath.ToSlash(rel)
}

// A Frame is one caller in the call chain of an [Error].
type Frame struct {
	Pos  Position
	Func string
}

// Error is a positioned error: Pos.String() + ": " + Msg. Stack holds the
// callers below the reported position, innermost first.
type Error struct {
	Pos   Position
	Msg   string
	Stack []Frame
	Err   error // the underlying error, if any
}

// Errorf returns an [*Error] at pos with a formatted message.
func Errorf(pos Position, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Pos: pos, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// Error returns the error as one line, "path:line:col: message".
func (e *Error) Error() string {
	if !e.Pos.IsValid() {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is a list of errors, reported together. A nil or empty list is
// not an error; use [ErrorList.Err].
type ErrorList []*Error

// Add appends an error at pos.
func (l *ErrorList) Add(pos Position, msg string) {
	*l = append(*l, &Error{Pos: pos, Msg: msg})
}

// Error returns the errors one per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns l sorted and deduplicated, or nil if l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l = slices.Clone(l)
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(a.Pos.Compare(b.Pos), strings.Compare(a.Msg, b.Msg))
	})
	l = slices.CompactFunc(l, func(a, b *Error) bool { return a.Pos == b.Pos && a.Msg == b.Msg })
	return l
}

// Config controls how [Print] writes errors.
type Config struct {
	// Cwd is the directory that paths are made relative to.
	Cwd string
}

// Print writes err to w: each positioned error on its own line as
// "path:line:col: message" (paths relative to cfg.Cwd), each followed by its
// call chain on tab-indented lines. Other errors are written as their text.
func Print(w io.Writer, err error, cfg Config) {
	if err == nil {
		return
	}
	var b strings.Builder
	for _, e := range flatten(err) {
		if e.Pos.IsValid() {
			b.WriteString(e.Pos.Format(cfg.Cwd))
			b.WriteString(": ")
		}
		b.WriteString(e.Msg)
		b.WriteByte('\n')
		for _, f := range e.Stack {
			fmt.Fprintf(&b, "\t%s: in %s\n", f.Pos.Format(cfg.Cwd), f.Func)
		}
	}
	io.WriteString(w, b.String())
}

// flatten returns the positioned errors in err, or err's text as one
// unpositioned error.
func flatten(err error) []*Error {
	var list ErrorList
	if errors.As(err, &list) {
		return list
	}
	var e *Error
	if errors.As(err, &e) {
		// Keep any context that wrapping added in front of the message.
		if msg := err.Error(); msg != e.Error() {
			return []*Error{{Msg: msg}}
		}
		return []*Error{e}
	}
	return []*Error{{Msg: err.Error()}}
}
