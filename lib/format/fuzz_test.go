package format_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/format"
	"go.starlark.net/resolve"
	"go.starlark.net/syntax"
)

// FuzzFormat formats arbitrary bytes. Whatever the input, Source returns
// an error or Starlark that parses; formatting that again changes nothing;
// and the formatted file is the same program: the same syntax tree, but
// for parentheses, the order and grouping of load statements and the
// indentation of multi-line strings (docstrings), which Source documents. Inputs that ask
// for rewrites with "keep sorted" comments are only checked for the first
// two properties, as are those that do not resolve (a positional argument
// after a named one), which the rewrites may mend.
func FuzzFormat(f *testing.F) {
	for _, pattern := range []string{"../../examples/*/main.star", "../../examples/*/*/*.star", "../../stdlib/*.star"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := format.Source("fuzz.star", src)
		if err != nil {
			if strings.Contains(err.Error(), "does not parse") {
				t.Fatalf("Source(%q): %v", src, err)
			}
			return
		}
		again, err := format.Source("fuzz.star", out)
		if err != nil || string(again) != string(out) {
			t.Fatalf("formatting %q again = %q, %v; want it unchanged", out, again, err)
		}
		if strings.Contains(strings.ToLower(string(src)), "keep sorted") || !resolves(src) {
			return
		}
		if a, b := shape(t, src), shape(t, out); a != b {
			t.Fatalf("formatting changed the program %q into %q:\n%s\n%s", src, out, a, b)
		}
	})
}

// resolves reports whether src resolves in svccfg's dialect of Starlark,
// with every name defined.
func resolves(src []byte) bool {
	f, err := (&syntax.FileOptions{Set: true, TopLevelControl: true}).Parse("fuzz.star", src, 0)
	if err != nil {
		return false
	}
	defined := func(string) bool { return true }
	return resolve.File(f, defined, defined) == nil
}

// shape returns the syntax tree of src without positions, comments or
// parentheses, with its load statements sorted and merged, and with the
// lines of multi-line strings trimmed.
func shape(t *testing.T, src []byte) string {
	f, err := (&syntax.FileOptions{}).Parse("fuzz.star", src, 0)
	if err != nil {
		t.Fatalf("%q does not parse: %v", src, err)
	}
	var loads []string
	var b strings.Builder
	var visit func(syntax.Node) bool
	visit = func(n syntax.Node) bool {
		var desc string
		switch n := n.(type) {
		case nil:
			b.WriteString(")")
			return false
		case *syntax.ParenExpr:
			syntax.Walk(n.X, visit) // grouping only
			return false
		case *syntax.LoadStmt:
			for i := range n.From {
				loads = append(loads, fmt.Sprintf("%q %s=%s", n.Module.Value, n.To[i].Name, n.From[i].Name))
			}
			return false
		case *syntax.Ident:
			desc = n.Name
		case *syntax.Literal:
			v := fmt.Sprintf("%#v", n.Value)
			if s, ok := n.Value.(string); ok && strings.Contains(s, "\n") {
				lines := strings.Split(s, "\n")
				for i := range lines {
					lines[i] = strings.TrimSpace(lines[i])
				}
				v = fmt.Sprintf("%q", strings.Join(lines, "\n"))
			}
			desc = n.Token.String() + ":" + v
		case *syntax.BinaryExpr:
			desc = n.Op.String()
		case *syntax.UnaryExpr:
			desc = n.Op.String()
		case *syntax.AssignStmt:
			desc = n.Op.String()
		case *syntax.BranchStmt:
			desc = n.Token.String()
		default:
			desc = fmt.Sprintf("%T", n)
		}
		b.WriteString(" (" + desc)
		return true
	}
	syntax.Walk(f, visit)
	slices.Sort(loads)
	return strings.Join(slices.Compact(loads), "\n") + "\n" + b.String()
}
