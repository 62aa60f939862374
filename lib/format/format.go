// Package format lays out Starlark configuration files canonically, the way
// buildifier lays out generic Starlark files: the formatting phase behind
// svccfg fmt. It formats with the build package of
// github.com/bazelbuild/buildtools (buildifier's own library), not a
// formatter of its own.
package format

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bazelbuild/buildtools/build"
	"github.com/svccfg/svccfg/lib/diag"
	"go.starlark.net/syntax"
)

// Source returns src, the contents of the file filename, formatted
// canonically. A file that does not parse is an [*diag.Error] at the
// position of the syntax error; filename is used only in errors.
//
// The file is parsed as a generic Starlark file (buildtools' TypeDefault,
// what buildifier --type=default does), neither a BUILD file nor a .bzl
// file. BUILD files get rewrites that change what a configuration means:
// sorting and deduplicating the lists given to rules, shortening labels,
// removing parentheses and reordering call arguments by name. .bzl files
// get the generic rewrites plus Bazel's own (sorting the arguments of
// visibility()). The generic rewrites lay out the code and otherwise
// touch only what evaluates the same in svccfg: load statements are moved
// to the top, merged, sorted and deduplicated (modules are executed once
// and frozen, so their order does not matter), docstrings are re-indented,
// strings are put in double quotes, number literals are spelled
// canonically (.5 and 00.5 as 0.5, 1.5E+05 as 1.5e5), and a list is sorted
// only where a "# keep sorted" comment asks for it.
//
// Syntax errors are reported in the words of go.starlark.net, the
// interpreter that svccfg build runs, so that fmt and build agree on what
// is valid and on where an error is; the formatted result is parsed again
// by it, and a result that would not parse is an error, never output.
func Source(filename string, src []byte) ([]byte, error) {
	parsed, err := parse(filename, src)
	if err != nil {
		return nil, err
	}
	if err := checkLoadNames(filename, parsed); err != nil {
		return nil, err
	}
	f, err := build.ParseDefault(filename, src)
	if err != nil {
		return nil, parseError(filename, src, err)
	}
	keepHighBytes(f)
	trimFloatZeros(f)
	out := build.Format(f)
	if _, err := parse(filename, out); err != nil {
		var d *diag.Error
		errors.As(err, &d)
		return nil, &diag.Error{Pos: diag.Position{File: filename}, Msg: fmt.Sprintf(
			"formatting would produce Starlark that does not parse (line %d of the result: %s); the file is left as it is", d.Pos.Line, d.Msg)}
	}
	return out, nil
}

// keepHighBytes makes buildtools print the string literals that it
// re-quotes (those in single quotes, for one) with their bytes above 0x7f as
// they are. buildtools writes such bytes as octal escapes ("café" as
// "caf\303\251"), which go.starlark.net rejects: a string's escapes stand
// for ASCII only, and other bytes are written as themselves.
func keepHighBytes(f *build.File) {
	build.Walk(f, func(x build.Expr, _ []build.Expr) {
		s, ok := x.(*build.StringExpr)
		if !ok || !strings.ContainsFunc(s.Value, func(r rune) bool { return r >= utf8.RuneSelf }) {
			return
		}
		if quoted := build.FormatString(s); quoted != s.Token {
			s.Token = unescapeHighBytes(quoted)
		}
	})
}

// trimFloatZeros removes the leading zeros of float literals, which
// go.starlark.net allows ("00.5" is 0.5) and buildtools would take for the
// prefix of an octal number, spelling "00.5" as "0o0.5".
func trimFloatZeros(f *build.File) {
	build.Walk(f, func(x build.Expr, _ []build.Expr) {
		l, ok := x.(*build.LiteralExpr)
		if !ok || len(l.Token) < 2 || l.Token[0] != '0' || !isDigit(l.Token[1]) || !strings.ContainsAny(l.Token, ".eE") {
			return
		}
		l.Token = strings.TrimLeft(l.Token, "0")
		if l.Token == "" || !isDigit(l.Token[0]) {
			l.Token = "0" + l.Token
		}
	})
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// unescapeHighBytes replaces the octal escapes of bytes above 0x7f in a
// string literal that buildtools quoted by the bytes themselves.
func unescapeHighBytes(quoted string) string {
	var b strings.Builder
	for i := 0; i < len(quoted); i++ {
		c := quoted[i]
		if c == '\\' && i+3 < len(quoted) {
			if n, err := strconv.ParseUint(quoted[i+1:i+4], 8, 8); err == nil && n >= utf8.RuneSelf {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		if c == '\\' && i+1 < len(quoted) {
			b.WriteString(quoted[i : i+2]) // the escape of an ASCII character, such as \\ or \"
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// checkLoadNames reports a load of a name that is not ASCII, which
// buildtools would write with octal escapes that go.starlark.net rejects.
func checkLoadNames(filename string, f *syntax.File) error {
	for _, stmt := range f.Stmts {
		load, ok := stmt.(*syntax.LoadStmt)
		if !ok {
			continue
		}
		for _, from := range load.From {
			if strings.ContainsFunc(from.Name, func(r rune) bool { return r >= utf8.RuneSelf }) {
				return &diag.Error{Pos: diag.Position{File: filename, Line: int(from.NamePos.Line), Col: int(from.NamePos.Col)},
					Msg: fmt.Sprintf("svccfg fmt cannot format a load of %q, a name that is not ASCII", from.Name)}
			}
		}
	}
	return nil
}

// parse parses src with go.starlark.net; its errors are [*diag.Error]s.
func parse(filename string, src []byte) (*syntax.File, error) {
	f, err := (&syntax.FileOptions{}).Parse(filename, src, 0)
	if err != nil {
		var serr syntax.Error
		if errors.As(err, &serr) {
			return nil, &diag.Error{Pos: diag.Position{File: filename, Line: int(serr.Pos.Line), Col: int(serr.Pos.Col)}, Msg: serr.Msg}
		}
		return nil, &diag.Error{Pos: diag.Position{File: filename}, Msg: err.Error()}
	}
	return f, nil
}

// parseError turns an error of buildtools' parser into a positioned error.
// buildtools rejects indentation with tabs, which go.starlark.net accepts:
// the message says so when the line of the error is indented with one.
func parseError(filename string, src []byte, err error) error {
	var perr build.ParseError
	if !errors.As(err, &perr) {
		return &diag.Error{Pos: diag.Position{File: filename}, Msg: err.Error()}
	}
	msg := perr.Message
	lines := strings.Split(string(src), "\n")
	if n := perr.Pos.Line; n >= 1 && n <= len(lines) {
		line := lines[n-1]
		if strings.Contains(line[:len(line)-len(strings.TrimLeft(line, " \t"))], "\t") {
			msg += " (fmt needs the indentation in spaces, not tabs)"
		}
	}
	return &diag.Error{Pos: diag.Position{File: filename, Line: perr.Pos.Line, Col: perr.Pos.LineRune}, Msg: msg}
}
