package lsp

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"go.starlark.net/syntax"
)

// identifier matches a name in a configuration file.
var identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// TestExamples opens every file of examples/: none has diagnostics, and
// on the first occurrence of every name in it, hover, completion,
// signature help and go-to-definition answer without an error (the client
// fails the test on one). Every file has hovers, and every name that a
// load() binds leads to a definition.
func TestExamples(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	files, err := filepath.Glob("../../examples/*/*.star")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../examples/*/*/*.star")
	files = append(files, more...)
	if len(files) < 20 {
		t.Fatalf("found %d example files", len(files))
	}
	c := newClient(t)
	for _, file := range files {
		path, _ := filepath.Abs(file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if p := c.open(path, text); len(p.Diagnostics) != 0 {
			t.Errorf("%s: diagnostics %+v", file, p.Diagnostics)
		}
		f, err := parse(path, text)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range f.Stmts {
			if ld, ok := stmt.(*syntax.LoadStmt); ok {
				for _, to := range ld.To {
					var locs []Location
					c.call("textDocument/definition", PositionParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}, Position: toLSP(text, to.NamePos)}, &locs)
					if len(locs) != 1 {
						t.Errorf("%s: definition of the loaded %s: %+v", file, to.Name, locs)
					}
				}
			}
		}
		seen := map[string]bool{}
		hovers := 0
		for _, m := range identifier.FindAllStringIndex(text, -1) {
			name := text[m[0]:m[1]]
			if seen[name] || m[0] > 0 && text[m[0]-1] >= '0' && text[m[0]-1] <= '9' {
				continue
			}
			seen[name] = true
			p := position(text, m[0]+1)
			if c.hover(path, p) != "" {
				hovers++
			}
			c.complete(path, p)
			var h *SignatureHelp
			c.call("textDocument/signatureHelp", PositionParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}, Position: p}, &h)
			var locs []Location
			c.call("textDocument/definition", PositionParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}, Position: p}, &locs)
		}
		if hovers == 0 {
			t.Errorf("%s: no hover on any name", file)
		}
	}
}
