package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/sourcegraph/jsonrpc2"
)

// client is a language client talking to a Server over a pipe.
type client struct {
	t     *testing.T
	conn  *jsonrpc2.Conn
	diags chan PublishDiagnosticsParams
	// registrations receives the parameters of the server's
	// client/registerCapability requests.
	registrations chan json.RawMessage
}

func newClient(t *testing.T) *client {
	t.Helper()
	return newClientWith(t, Options{}, map[string]any{})
}

// newClientWith starts a server with opts and initializes it as a client
// with the capabilities caps.
func newClientWith(t *testing.T, opts Options, caps map[string]any) *client {
	t.Helper()
	a, b := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, a, opts) }()
	c := &client{t: t, diags: make(chan PublishDiagnosticsParams, 16), registrations: make(chan json.RawMessage, 4)}
	c.conn = jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(b, jsonrpc2.VSCodeObjectCodec{}), jsonrpc2.HandlerWithError(
		func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
			if req.Method == "textDocument/publishDiagnostics" {
				var p PublishDiagnosticsParams
				json.Unmarshal(*req.Params, &p)
				c.diags <- p
			}
			if req.Method == "client/registerCapability" {
				c.registrations <- *req.Params
			}
			return nil, nil
		}))
	t.Cleanup(func() {
		c.conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	var init map[string]any
	c.call("initialize", map[string]any{"capabilities": caps}, &init)
	if _, ok := init["capabilities"]; !ok {
		t.Fatalf("initialize returned %v, want capabilities", init)
	}
	return c
}

func (c *client) call(method string, params, result any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.conn.Call(ctx, method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) open(path, text string) PublishDiagnosticsParams {
	c.t.Helper()
	uri := pathURI(path)
	if err := c.conn.Notify(context.Background(), "textDocument/didOpen", DidOpenParams{TextDocument: TextDocumentItem{URI: uri, Version: 1, Text: text}}); err != nil {
		c.t.Fatal(err)
	}
	return c.wait(uri)
}

// change sends a new text of a document and waits for its diagnostics.
func (c *client) change(uri string, version int, text string) PublishDiagnosticsParams {
	c.t.Helper()
	c.edit(uri, version, text)
	return c.wait(uri)
}

// edit sends a new text of a document.
func (c *client) edit(uri string, version int, text string) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), "textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []map[string]any{{"text": text}},
	}); err != nil {
		c.t.Fatal(err)
	}
}

// hover returns the hover text at p in the document at path, or "".
func (c *client) hover(path string, p Position) string {
	c.t.Helper()
	var h *Hover
	c.call("textDocument/hover", PositionParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}, Position: p}, &h)
	if h == nil {
		return ""
	}
	return h.Contents.Value
}

// complete returns the completions at p in the document at path, by label.
func (c *client) complete(path string, p Position) map[string]CompletionItem {
	c.t.Helper()
	var list CompletionList
	c.call("textDocument/completion", PositionParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}, Position: p}, &list)
	items := map[string]CompletionItem{}
	for _, it := range list.Items {
		items[it.Label] = it
	}
	return items
}

// next returns the next diagnostics published, of any document.
func (c *client) next() PublishDiagnosticsParams {
	c.t.Helper()
	select {
	case p := <-c.diags:
		return p
	case <-time.After(time.Minute):
		c.t.Fatal("no diagnostics")
	}
	return PublishDiagnosticsParams{}
}

func (c *client) wait(uri string) PublishDiagnosticsParams {
	c.t.Helper()
	for {
		// Other open documents may be diagnosed again meanwhile.
		if p := c.next(); p.URI == uri {
			return p
		}
	}
}

const service = `core = proto.package("k8s.io.api.core.v1")

def main(ctx):
    return service(
        name = "web",
        owner = "web",
        image = "registry.example.com/web:1.0.0",
        replicas = 3,
        cpu = kube.cores(1),
        mem = kube.gigabytes(1),
        prot = 8080,
    )
`

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "main.star")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiagnosticsAndQuickFix(t *testing.T) {
	c := newClient(t)
	path := writeConfig(t, service)
	p := c.open(path, service)
	if len(p.Diagnostics) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %+v", len(p.Diagnostics), p.Diagnostics)
	}
	d := p.Diagnostics[0]
	want := Range{Start: Position{Line: 10, Character: 8}, End: Position{Line: 10, Character: 12}}
	if d.Range != want || d.Message != `service: unexpected keyword argument "prot" (did you mean port?)` || d.Severity != SeverityError {
		t.Errorf("diagnostic = %+v, want the unknown keyword at %+v", d, want)
	}
	var actions []CodeAction
	params := map[string]any{"textDocument": map[string]any{"uri": p.URI}, "range": d.Range, "context": map[string]any{"diagnostics": p.Diagnostics}}
	c.call("textDocument/codeAction", params, &actions)
	if len(actions) != 1 || actions[0].Edit.Changes[p.URI][0].NewText != "port" || actions[0].Edit.Changes[p.URI][0].Range != want {
		t.Fatalf("code actions = %+v, want one changing prot to port", actions)
	}

	// The fixed text has no errors, and lint finds nothing to say.
	fixed := strings.Replace(service, "prot =", "port =", 1)
	p = c.change(p.URI, 2, fixed)
	if len(p.Diagnostics) != 0 || *p.Version != 2 {
		t.Errorf("after the fix: version %d, diagnostics %+v; want version 2 and none", *p.Version, p.Diagnostics)
	}

	// A syntax error is placed where the parser stops.
	p = c.change(p.URI, 3, "def main(ctx):\n    return [\n")
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Range.Start.Line != 2 || p.Diagnostics[0].Message != "got outdent, want primary expression" {
		t.Errorf("syntax error diagnostics = %+v", p.Diagnostics)
	}
}

func TestUnsavedBuffer(t *testing.T) {
	c := newClient(t)
	path := writeConfig(t, "def main(ctx):\n    return []\n")
	p := c.open(path, "def main(ctx):\n    return [nope]\n")
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Message != "undefined: nope (did you mean None?)" || p.Diagnostics[0].Range.Start != (Position{Line: 1, Character: 12}) {
		t.Errorf("diagnostics of the unsaved buffer = %+v, want undefined: nope at 2:13", p.Diagnostics)
	}
}

func TestHover(t *testing.T) {
	c := newClient(t)
	path := writeConfig(t, service)
	c.open(path, service)
	for _, tt := range []struct {
		line, char int
		want       string
	}{
		{8, 19, "kube.cores(n)"},         // kube.cores
		{3, 12, "service(name"},          // service
		{5, 9, "service(owner): string"}, // a keyword argument
		{0, 22, "k8s.io.api.core.v1"},    // inside the string: the package is not a name
	} {
		got := c.hover(path, Position{Line: tt.line, Character: tt.char})
		if tt.line == 0 {
			if got != "" {
				t.Errorf("hover at %d:%d = %q, want nothing", tt.line, tt.char, got)
			}
			continue
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("hover at %d:%d = %q, want it to contain %q", tt.line, tt.char, got, tt.want)
		}
	}
}

func TestCompletion(t *testing.T) {
	c := newClient(t)
	text := "core = proto.package(\"k8s.io.api.core.v1\")\n\ndef main(ctx):\n    c = core.Cont\n    p = core.ContainerPort(contai\n    ns = ctx.vars[\"\n    return service(rep\n"
	path := writeConfig(t, text)
	c.open(path, text)
	complete := func(line, char int) map[string]CompletionItem {
		return c.complete(path, Position{Line: line, Character: char})
	}
	if got := complete(3, 17); got["Container"].Kind != KindStruct || got["ContainerPort"].Detail != "message k8s.io.api.core.v1.ContainerPort" || got["Pod"].Label != "" {
		t.Errorf("core.Cont completions = %+v", got)
	}
	if got := complete(4, 33); got["containerPort"].Detail != "int" || len(got) != 1 {
		t.Errorf("ContainerPort(contai completions = %+v", got)
	}
	if got := complete(5, 19); len(got) != 3 || got["environment"].Label == "" {
		t.Errorf("ctx.vars completions = %+v", got)
	}
	if got := complete(6, 22); got["replicas"].Detail != "int or None" {
		t.Errorf("service(rep completions = %+v", got)
	}
}

func TestSymbolsAndFormatting(t *testing.T) {
	c := newClient(t)
	text := "X=1\ndef main(ctx):\n  return []\n"
	path := writeConfig(t, text)
	c.open(path, text)
	var syms []DocumentSymbol
	c.call("textDocument/documentSymbol", DocumentParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}}, &syms)
	if len(syms) != 2 || syms[0].Name != "X" || syms[1].Name != "main" || syms[1].Kind != SymbolFunction {
		t.Errorf("symbols = %+v", syms)
	}
	// Characters count UTF-16 units: 😀 is two.
	wide := "A = \"😀\"; B = 2\n"
	c.change(pathURI(path), 2, wide)
	c.call("textDocument/documentSymbol", DocumentParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}}, &syms)
	if want := (Range{Start: Position{Line: 0, Character: 10}, End: Position{Line: 0, Character: 11}}); len(syms) != 2 || syms[1].SelectionRange != want {
		t.Errorf("symbols of %q = %+v, want B at %+v", wide, syms, want)
	}
	c.change(pathURI(path), 3, text)
	var edits []TextEdit
	c.call("textDocument/formatting", DocumentParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}}, &edits)
	if len(edits) != 1 || edits[0].NewText != "X = 1\n\ndef main(ctx):\n    return []\n" {
		t.Errorf("formatting edits = %+v", edits)
	}
}

// TestCallsToPeers opens a service that calls one another file of its config
// root defines: the call is checked against the rest of the root, which
// svccfg build would build with it, so it is no error, and a misspelt call
// is one, with the callee as its did-you-mean.
func TestCallsToPeers(t *testing.T) {
	files := map[string]string{
		"svccfg.yaml":   "vars:\n  namespace: shop\n",
		"api/main.star": "def main(ctx):\n    return service(name = \"api\", owner = \"shop\", image = \"r/api:1\", port = 8080, cpu = \"100m\", mem = \"64Mi\")\n",
		"web/main.star": "def main(ctx):\n    return service(name = \"web\", owner = \"shop\", image = \"r/web:1\", port = 8080, calls = [\"api\"], cpu = \"100m\", mem = \"64Mi\")\n",
	}
	root := writeTree(t, files)
	c := newClient(t)
	web := filepath.Join(root, "web/main.star")
	if p := c.open(web, files["web/main.star"]); len(p.Diagnostics) != 0 {
		t.Fatalf("diagnostics of a call to a peer: %+v", p.Diagnostics)
	}
	p := c.change(pathURI(web), 2, strings.Replace(files["web/main.star"], `["api"]`, `["apj"]`, 1))
	want := `service "web": calls: no service "apj" in namespace "shop" in this build (did you mean "api"?)`
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Message != want || p.Diagnostics[0].Range.Start != (Position{Line: 1, Character: 18}) {
		t.Fatalf("diagnostics of a misspelt call: %+v, want %q at 2:19", p.Diagnostics, want)
	}
	// Its quick fix changes the string literal among the call's arguments.
	var actions []CodeAction
	params := map[string]any{"textDocument": map[string]any{"uri": p.URI}, "range": p.Diagnostics[0].Range, "context": map[string]any{"diagnostics": p.Diagnostics}}
	c.call("textDocument/codeAction", params, &actions)
	lit := Range{Start: Position{Line: 1, Character: 90}, End: Position{Line: 1, Character: 95}}
	if len(actions) != 1 || actions[0].Title != `Change "apj" to "api"` || actions[0].Edit.Changes[p.URI][0] != (TextEdit{Range: lit, NewText: `"api"`}) {
		t.Errorf("code actions = %+v, want one changing \"apj\" at %+v to \"api\"", actions, lit)
	}

	// A save builds the root's services again: a new file's are seen.
	apj := strings.ReplaceAll(files["api/main.star"], `"api"`, `"apj"`)
	if err := os.MkdirAll(filepath.Join(root, "apj"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "apj/main.star"), []byte(apj), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.conn.Notify(context.Background(), "textDocument/didSave", DocumentParams{TextDocument: TextDocumentIdentifier{URI: pathURI(web)}}); err != nil {
		t.Fatal(err)
	}
	if p := c.wait(pathURI(web)); len(p.Diagnostics) != 0 {
		t.Errorf("diagnostics after the callee was added and the caller saved: %+v", p.Diagnostics)
	}
}

// TestWatchedFiles changes a file on disk that no editor has open: a
// client that watches files for the server says so, and the open files
// that call its service are diagnosed again.
func TestWatchedFiles(t *testing.T) {
	files := map[string]string{
		"svccfg.yaml":   "vars:\n  namespace: shop\n",
		"api/main.star": "def main(ctx):\n    return service(name = \"api\", owner = \"shop\", image = \"r/api:1\", port = 8080, cpu = \"100m\", mem = \"64Mi\")\n",
		"web/main.star": "def main(ctx):\n    return service(name = \"web\", owner = \"shop\", image = \"r/web:1\", port = 8080, calls = [\"api\"], cpu = \"100m\", mem = \"64Mi\")\n",
	}
	root := writeTree(t, files)
	c := newClientWith(t, Options{}, map[string]any{"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}}})
	if err := c.conn.Notify(context.Background(), "initialized", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-c.registrations:
		want := `{"registrations":[{"id":"svccfg-files","method":"workspace/didChangeWatchedFiles","registerOptions":{"watchers":[{"globPattern":"**/*.star"},{"globPattern":"**/svccfg.yaml"}]}}]}`
		if string(got) != want {
			t.Errorf("registration = %s, want %s", got, want)
		}
	case <-time.After(time.Minute):
		t.Fatal("no client/registerCapability request after initialized")
	}

	web := filepath.Join(root, "web/main.star")
	if p := c.open(web, files["web/main.star"]); len(p.Diagnostics) != 0 {
		t.Fatalf("diagnostics of a call to a peer: %+v", p.Diagnostics)
	}
	// The callee is renamed on disk: the caller's call names no service.
	api := filepath.Join(root, "api/main.star")
	if err := os.WriteFile(api, []byte(strings.ReplaceAll(files["api/main.star"], `"api"`, `"apx"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	changes := map[string]any{"changes": []map[string]any{{"uri": pathURI(api), "type": 2}}}
	if err := c.conn.Notify(context.Background(), "workspace/didChangeWatchedFiles", changes); err != nil {
		t.Fatal(err)
	}
	p := c.wait(pathURI(web))
	want := `service "web": calls: no service "api" in namespace "shop" in this build (did you mean "apx"?)`
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Message != want {
		t.Errorf("diagnostics after the callee changed on disk: %+v, want %q", p.Diagnostics, want)
	}

	// The callee is put back.
	if err := os.WriteFile(api, []byte(files["api/main.star"]), 0o644); err != nil {
		t.Fatal(err)
	}
	changes = map[string]any{"changes": []map[string]any{{"uri": pathURI(api), "type": 2}}}
	if err := c.conn.Notify(context.Background(), "workspace/didChangeWatchedFiles", changes); err != nil {
		t.Fatal(err)
	}
	if p := c.wait(pathURI(web)); len(p.Diagnostics) != 0 {
		t.Errorf("diagnostics after the callee was put back: %+v", p.Diagnostics)
	}

	// svccfg.yaml is broken on disk: the open file's build says so.
	config := filepath.Join(root, "svccfg.yaml")
	if err := os.WriteFile(config, []byte("vars: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changes = map[string]any{"changes": []map[string]any{{"uri": pathURI(config), "type": 2}}}
	if err := c.conn.Notify(context.Background(), "workspace/didChangeWatchedFiles", changes); err != nil {
		t.Fatal(err)
	}
	p = c.wait(pathURI(web))
	want = "../svccfg.yaml:1: did not find expected node content"
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Message != want || len(p.Diagnostics[0].RelatedInformation) != 1 || p.Diagnostics[0].RelatedInformation[0].Location.URI != pathURI(config) {
		t.Errorf("diagnostics after svccfg.yaml broke: %+v, want %q related to svccfg.yaml", p.Diagnostics, want)
	}
}

// writeTree writes files (by slash-separated path) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// at returns the position of the first occurrence of sub in text, plus
// delta characters.
func at(t *testing.T, text, sub string, delta int) Position {
	t.Helper()
	i := strings.Index(text, sub)
	if i < 0 {
		t.Fatalf("no %q in the text", sub)
	}
	return position(text, i+delta)
}

func TestDefinition(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	main := "load(\"//lib/common.star\", \"web\", img = \"IMAGE\")\n\ndef main(ctx):\n    ns = \"shop\"  # é\n    return web(ns, img, kube.cores(1)) + [service(name = ns)]\n"
	root := writeTree(t, map[string]string{
		"svccfg.yaml":     "vars: {}\n",
		"lib/common.star": "load(\"//lib/images.star\", \"IMAGE\")\n\ndef web(ns, image, cpu):\n    return []\n",
		"lib/images.star": "IMAGE = \"r/web:1\"\n",
		"main.star":       main,
	})
	c := newClient(t)
	path := filepath.Join(root, "main.star")
	c.open(path, main)
	define := func(p Position) []Location {
		var locs []Location
		c.call("textDocument/definition", PositionParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}, Position: p}, &locs)
		return locs
	}
	line := func(l, c, n int) Range {
		return Range{Start: Position{Line: l, Character: c}, End: Position{Line: l, Character: c + n}}
	}
	for _, tt := range []struct {
		name string
		pos  Position
		uri  string
		rng  Range
	}{
		{"a loaded function", at(t, main, "web(ns", 1), pathURI(filepath.Join(root, "lib/common.star")), line(2, 4, 3)},
		{"a name loaded through two loads", at(t, main, "img, kube", 0), pathURI(filepath.Join(root, "lib/images.star")), line(0, 0, 5)},
		{"a load's module", at(t, main, "lib/common", 0), pathURI(filepath.Join(root, "lib/common.star")), line(0, 0, 0)},
		{"a local variable", at(t, main, "ns, img", 0), pathURI(path), line(3, 4, 2)},
		{"a standard library function", at(t, main, "service(", 2), "/service.star", line(32, 4, 7)},
		{"a function of a predeclared module", at(t, main, "cores", 2), "/kube.star", line(9, 4, 5)},
	} {
		locs := define(tt.pos)
		if len(locs) != 1 || !strings.HasSuffix(locs[0].URI, tt.uri) || locs[0].Range != tt.rng {
			t.Errorf("definition of %s: got %+v, want %s at %+v", tt.name, locs, tt.uri, tt.rng)
			continue
		}
		if p, ok := uriPath(locs[0].URI); !ok {
			t.Errorf("definition of %s: %s is not a file", tt.name, locs[0].URI)
		} else if _, err := os.Stat(p); err != nil {
			t.Errorf("definition of %s: %v", tt.name, err)
		}
	}
	if locs := define(at(t, main, "# é", 0)); len(locs) != 0 {
		t.Errorf("definition of a comment: %+v, want none", locs)
	}
}

func TestSignatureHelp(t *testing.T) {
	c := newClient(t)
	text := "def web(name, replicas = 2):\n    \"\"\"A web server.\"\"\"\n    return []\n\ndef main(ctx):\n    return service(name = \"web\", replicas = kube.cores(\n    ) + web(\"a\", \n"
	path := writeConfig(t, text)
	c.open(path, text)
	help := func(p Position) *SignatureHelp {
		var h *SignatureHelp
		c.call("textDocument/signatureHelp", PositionParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}, Position: p}, &h)
		return h
	}
	param := func(h *SignatureHelp) string {
		s := h.Signatures[0]
		if h.ActiveParameter >= len(s.Parameters) {
			return ""
		}
		r := s.Parameters[h.ActiveParameter].Label
		return string(utf16.Decode(utf16.Encode([]rune(s.Label))[r[0]:r[1]]))
	}
	h := help(at(t, text, "replicas = kube", 11))
	if h == nil || !strings.HasPrefix(h.Signatures[0].Label, "service(name, owner, image, command = None,") || param(h) != "replicas = None" {
		t.Fatalf("signature help in service(... replicas = : %+v", h)
	}
	if d := h.Signatures[0].Parameters[h.ActiveParameter].Documentation; d == nil || !strings.HasPrefix(d.Value, "int or None: ") {
		t.Errorf("replicas' documentation = %+v", d)
	}
	if h := help(at(t, text, "kube.cores(", 11)); h == nil || h.Signatures[0].Label != "kube.cores(n)" || param(h) != "n" {
		t.Errorf("signature help in kube.cores(: %+v", h)
	}
	if h := help(at(t, text, "\"a\", \n", 5)); h == nil || h.Signatures[0].Label != "web(name, replicas = 2)" || param(h) != "replicas = 2" || h.Signatures[0].Documentation.Value != "A web server." {
		t.Errorf("signature help in web(\"a\", : %+v", h)
	}
	if h := help(Position{Line: 4, Character: 2}); h != nil {
		t.Errorf("signature help outside a call: %+v", h)
	}
}

// TestHoverDefinitions hovers on names the configuration defines: a
// function, of the file or loaded, shows its header and docstring; a
// variable its assignment; a parameter its function; with the file that
// defines them if another.
func TestHoverDefinitions(t *testing.T) {
	common := "# Shared parts.\n\nOWNER = \"shop\"\n\ndef web(name, replicas = 2):\n    \"\"\"Returns the shop's web server.\n\n    Its image is pinned.\n    \"\"\"\n    return service(name = name, owner = OWNER, image = \"r/web:1\", replicas = replicas)\n"
	main := "load(\"//lib/common.star\", \"OWNER\", \"web\")\n\nPORTS = [\n    80,\n    443,\n]\n\ndef main(ctx):\n    for p in PORTS:\n        pass\n    return web(OWNER)\n"
	root := writeTree(t, map[string]string{"svccfg.yaml": "", "lib/common.star": common, "main.star": main})
	path := filepath.Join(root, "main.star")
	c := newClient(t)
	c.open(path, main)
	for _, tt := range []struct{ name, sub, want string }{
		{"a loaded function", "web(OWNER", "```text\nGenerated by this call in the last build (svccfg build --explain):\n  ServiceAccount default/shop\n  Deployment default/shop\n  PodDisruptionBudget default/shop\n```\n\n```python\ndef web(name, replicas = 2):\n```\n\nReturns the shop's web server.\n\nIts image is pinned.\n\nDefined in //lib/common.star:5"},
		{"a loaded variable", "OWNER)", "```python\nOWNER = \"shop\"\n```\n\nDefined in //lib/common.star:3"},
		{"a variable of the file", "PORTS:", "```python\nPORTS = [\n    80,\n    443,\n]\n```"},
		{"a loop variable", "p in", "```python\nfor p in PORTS:\n```"},
		{"a parameter", "ctx)", "```python\ndef main(ctx):\n```\n\n`ctx` is a parameter of `main`."},
	} {
		if got := c.hover(path, at(t, main, tt.sub, 1)); got != tt.want {
			t.Errorf("hover on %s:\n%s\nwant:\n%s", tt.name, got, tt.want)
		}
	}
}

// TestReferences finds the uses of names: a function defined in one file
// of the config root and loaded by others (one renames it), and a local
// variable; and highlights a name's reads and writes in its file.
func TestReferences(t *testing.T) {
	common := "def web(name):\n    return service(name = name, owner = \"shop\", image = \"r/web:1\")\n"
	main := "load(\"//lib/common.star\", \"web\")\n\ndef main(ctx):\n    n = \"a\"\n    n = n + \"b\"\n    return [web(n), web(\"c\")]\n"
	other := "load(\"//lib/common.star\", w = \"web\")\n\ndef main(ctx):\n    web = 1\n    return w(\"d\")\n"
	root := writeTree(t, map[string]string{"svccfg.yaml": "", "lib/common.star": common, "main.star": main, "other/main.star": other})
	path := filepath.Join(root, "main.star")
	c := newClient(t)
	c.open(path, main)
	refs := func(p Position, decl bool) []string {
		var locs []Location
		params := map[string]any{"textDocument": map[string]any{"uri": pathURI(path)}, "position": p, "context": map[string]any{"includeDeclaration": decl}}
		c.call("textDocument/references", params, &locs)
		var out []string
		for _, l := range locs {
			rel, _ := filepath.Rel(root, strings.TrimPrefix(l.URI, "file://"))
			out = append(out, fmt.Sprintf("%s:%d:%d", rel, l.Range.Start.Line+1, l.Range.Start.Character+1))
		}
		slices.Sort(out)
		return out
	}
	if got, want := refs(at(t, main, "web(n)", 1), true), []string{"lib/common.star:1:5", "main.star:1:28", "main.star:6:13", "main.star:6:21", "other/main.star:1:32", "other/main.star:5:12"}; !slices.Equal(got, want) {
		t.Errorf("references of web:\n got %q\nwant %q", got, want)
	}
	if got, want := refs(at(t, main, "web(n)", 1), false), []string{"main.star:1:28", "main.star:6:13", "main.star:6:21", "other/main.star:1:32", "other/main.star:5:12"}; !slices.Equal(got, want) {
		t.Errorf("references of web without its definition:\n got %q\nwant %q", got, want)
	}
	if got, want := refs(at(t, main, "n)", 0), true), []string{"main.star:4:5", "main.star:5:5", "main.star:5:9", "main.star:6:17"}; !slices.Equal(got, want) {
		t.Errorf("references of a local:\n got %q\nwant %q", got, want)
	}

	var hs []DocumentHighlight
	c.call("textDocument/documentHighlight", PositionParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}, Position: at(t, main, "n = n", 0)}, &hs)
	want := []DocumentHighlight{
		{Range: Range{Start: Position{Line: 3, Character: 4}, End: Position{Line: 3, Character: 5}}, Kind: 3},
		{Range: Range{Start: Position{Line: 4, Character: 4}, End: Position{Line: 4, Character: 5}}, Kind: 2},
		{Range: Range{Start: Position{Line: 4, Character: 8}, End: Position{Line: 4, Character: 9}}, Kind: 2},
		{Range: Range{Start: Position{Line: 5, Character: 16}, End: Position{Line: 5, Character: 17}}, Kind: 2},
	}
	if !slices.Equal(hs, want) {
		t.Errorf("highlights of n = %+v, want %+v", hs, want)
	}
	// A loaded name is written by its load().
	c.call("textDocument/documentHighlight", PositionParams{TextDocument: TextDocumentIdentifier{URI: pathURI(path)}, Position: at(t, main, "web(n)", 0)}, &hs)
	want = []DocumentHighlight{
		{Range: Range{Start: Position{Line: 0, Character: 27}, End: Position{Line: 0, Character: 30}}, Kind: 3},
		{Range: Range{Start: Position{Line: 5, Character: 12}, End: Position{Line: 5, Character: 15}}, Kind: 2},
		{Range: Range{Start: Position{Line: 5, Character: 20}, End: Position{Line: 5, Character: 23}}, Kind: 2},
	}
	if !slices.Equal(hs, want) {
		t.Errorf("highlights of web = %+v, want %+v", hs, want)
	}
}

// TestRename renames a loaded function across the config root's files
// (a load() that renames it keeps its own name), and a local; and refuses
// names that are not the configuration's, or would clash.
func TestRename(t *testing.T) {
	common := "def web(name):\n    return service(name = name, owner = \"shop\", image = \"r/web:1\")\n"
	main := "load(\"//lib/common.star\", \"web\")\n\ndef main(ctx):\n    n = str(kube)\n    return [web(n), web(\"c\")]\n"
	other := "load(\"//lib/common.star\", w = \"web\")\n\ndef main(ctx):\n    site = 1\n    return w(\"d\")\n"
	root := writeTree(t, map[string]string{"svccfg.yaml": "", "lib/common.star": common, "main.star": main, "other/main.star": other})
	path := filepath.Join(root, "main.star")
	c := newClient(t)
	c.open(path, main)
	at := func(sub string) Position { return at(t, main, sub, 0) }
	params := func(p Position, name string) map[string]any {
		return map[string]any{"textDocument": map[string]any{"uri": pathURI(path)}, "position": p, "newName": name}
	}
	var r *Range
	c.call("textDocument/prepareRename", params(at("web(n)"), ""), &r)
	if want := (Range{Start: Position{Line: 4, Character: 12}, End: Position{Line: 4, Character: 15}}); r == nil || *r != want {
		t.Errorf("prepareRename on web = %+v, want %+v", r, want)
	}
	var edit WorkspaceEdit
	c.call("textDocument/rename", params(at("web(n)"), "frontend"), &edit)
	got := map[string]string{}
	for uri, edits := range edit.Changes {
		rel, _ := filepath.Rel(root, strings.TrimPrefix(uri, "file://"))
		for _, e := range edits {
			got[rel] += fmt.Sprintf(" %d:%d-%d:%s", e.Range.Start.Line+1, e.Range.Start.Character+1, e.Range.End.Character+1, e.NewText)
		}
	}
	want := map[string]string{
		"lib/common.star": " 1:5-8:frontend",
		"main.star":       " 1:28-31:frontend 5:13-16:frontend 5:21-24:frontend",
		"other/main.star": " 1:32-35:frontend",
	}
	if !maps.Equal(got, want) {
		t.Errorf("rename of web:\n got %q\nwant %q", got, want)
	}
	edit = WorkspaceEdit{}
	c.call("textDocument/rename", params(at("n = "), "name"), &edit)
	if e := edit.Changes[pathURI(path)]; len(edit.Changes) != 1 || len(e) != 2 || e[0].NewText != "name" {
		t.Errorf("rename of a local: %+v", edit)
	}

	for _, tt := range []struct {
		pos           Position
		name, message string
	}{
		{at("web(n)"), "site", "//other/main.star already uses the name site"},
		{at("web(n)"), "kube", "kube is predeclared: renaming web to it would hide it"},
		{at("web(n)"), "for", `"for" is not a name`},
		{at("web(n)"), "a.b", `"a.b" is not a name`},
	} {
		err := c.conn.Call(context.Background(), "textDocument/rename", params(tt.pos, tt.name), &edit)
		if err == nil || err.Error() != "jsonrpc2: code -32803 message: "+tt.message && err.Error() != "jsonrpc2: code -32602 message: "+tt.message {
			t.Errorf("rename to %s: error %v, want %q", tt.name, err, tt.message)
		}
	}
	for sub, message := range map[string]string{
		"str(":  "str is not defined in the configuration",
		"kube)": "kube is defined outside the config root (the standard library's names cannot be renamed)",
	} {
		err := c.conn.Call(context.Background(), "textDocument/prepareRename", params(at(sub), ""), &r)
		if err == nil || err.Error() != "jsonrpc2: code -32803 message: "+message {
			t.Errorf("prepareRename on %s: error %v, want %q", sub, err, message)
		}
	}
}

// TestHoverGenerated hovers on calls that generated objects in the last
// build: each call of a helper lists what that call made, and the
// service() call inside the helper what every call of it made.
func TestHoverGenerated(t *testing.T) {
	c := newClient(t)
	text := "def web(name):\n    \"\"\"A web server.\"\"\"\n    return service(name = name, owner = \"web\", image = \"r/web:1\", cpu = \"1\", mem = \"1Gi\")\n\ndef main(ctx):\n    return [web(\"a\"), web(\"b\")]\n"
	path := writeConfig(t, text)
	if p := c.open(path, text); len(p.Diagnostics) != 0 {
		t.Fatalf("diagnostics: %+v", p.Diagnostics)
	}
	hover := func(p Position) string { return c.hover(path, p) }
	want := "```text\nGenerated by this call in the last build (svccfg build --explain):\n  ServiceAccount default/b\n  Deployment default/b\n```\n\n```python\ndef web(name):\n```\n\nA web server."
	if got := hover(at(t, text, "web(\"b\")", 1)); got != want {
		t.Errorf("hover on web(\"b\"):\n%s\nwant:\n%s", got, want)
	}
	got := hover(at(t, text, "service(", 1))
	if !strings.HasPrefix(got, "```text\nGenerated by this call in the last build (svccfg build --explain):\n  ServiceAccount default/a\n  Deployment default/a\n  ServiceAccount default/b\n  Deployment default/b\n\nservice(") || !strings.Contains(got, "  Deployment default/a\n") || !strings.Contains(got, "  Deployment default/b\n") || !strings.Contains(got, "\nservice(name, owner, image,") {
		t.Errorf("hover on service(:\n%s", got)
	}
}

// TestCompletionContexts completes inside dict literals that stand for
// messages, enum values, fields after a dot on a message value, load()
// paths and the names a module exports, proto packages, and the prelude's
// names.
func TestCompletionContexts(t *testing.T) {
	main := `load("//lib/common.star", "we")
load("@stdlib//ein")
load("//li")
core = proto.package("k8s.io.api.core.v1")
cluster = proto.package("envoy.config.cluster.v3")

def main(ctx):
    c = core.Container(name = "a", resources = {"lim": {}}, ports = [{cont}])
    x = c.reso
    y = c.resources.lim
    e = cluster.Cluster(lb_policy = "LEAST")
    # brackets in comments ( and strings do not count
    d = core.Container(name = "a)(", args = ["]", """((
"""], termin)
    return [defa]
`
	root := writeTree(t, map[string]string{
		"svccfg.yaml":      "prelude: lib/prelude.star\n",
		"lib/common.star":  "def web():\n    return []\n\ndef _private():\n    pass\n\nWORKERS = 4\n",
		"lib/prelude.star": "def default_service(name):\n    return service(name = name, owner = \"o\", image = \"r/x:1\")\n",
		"main.star":        main,
	})
	path := filepath.Join(root, "main.star")
	c := newClient(t)
	c.open(path, main)
	complete := func(p Position) map[string]CompletionItem { return c.complete(path, p) }
	labels := func(items map[string]CompletionItem) []string {
		var l []string
		for k := range items {
			l = append(l, k)
		}
		slices.Sort(l)
		return l
	}
	for _, tt := range []struct {
		name string
		pos  Position
		want []string
	}{
		{"a name a module exports", at(t, main, `"we"`, 3), []string{"web"}},
		{"a standard library module", at(t, main, `ein")`, 3), []string{"@stdlib//einhorn.star"}},
		{"a module of the config root", at(t, main, `//li")`, 4), []string{"//lib/common.star", "//lib/prelude.star"}},
		{"a key of a dict for a message field", at(t, main, `lim"`, 3), []string{"limits"}},
		{"a key of a dict in a list for a repeated message field", at(t, main, "cont}", 4), []string{"containerPort"}},
		{"a field after a dot on a message value", at(t, main, "c.reso", 6), []string{"resources"}},
		{"a field of a field", at(t, main, "resources.lim", 13), []string{"limits"}},
		{"an enum value", at(t, main, `LEAST"`, 5), []string{"LEAST_REQUEST"}},
		{"a proto package", at(t, main, `envoy.config.cluster.v3")`, 20), []string{"envoy.config.cluster.v3"}},
		{"a field after brackets in strings and comments", at(t, main, `termin)`, 6), []string{"terminationMessagePath", "terminationMessagePolicy"}},
	} {
		if got := labels(complete(tt.pos)); !slices.Equal(got, tt.want) {
			t.Errorf("completion of %s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	items := complete(at(t, main, "cont}", 4))
	if it := items["containerPort"]; it.InsertText != `"containerPort": ` || it.Detail != "int" {
		t.Errorf("containerPort in a dict = %+v, want it inserted as a key", it)
	}
	items = complete(at(t, main, "@stdlib//ein", 12))
	if e := items["@stdlib//einhorn.star"].TextEdit; e == nil || e.Range.Start != at(t, main, "@stdlib//ein", 0) {
		t.Errorf("a module's completion replaces %+v, want the module string", e)
	}
	if it := complete(at(t, main, "defa]", 4))["default_service"]; it.Detail != "prelude" {
		t.Errorf("completion of a prelude name: %+v", it)
	}
}

// TestModuleDiagnostics edits a module that an open configuration loads:
// the module's errors are its diagnostics, and the configuration, built
// from the module's unsaved text, is diagnosed again with the error at its
// load statement; fixing the module clears both.
func TestModuleDiagnostics(t *testing.T) {
	lib := "def web(name):\n    return service(name = name, owner = \"web\", image = \"r/web:1\", cpu = \"1\", mem = \"1Gi\")\n"
	main := "load(\"lib.star\", \"web\")\n\ndef main(ctx):\n    return web(\"a\")\n"
	root := writeTree(t, map[string]string{"lib.star": lib, "main.star": main})
	libPath, mainPath := filepath.Join(root, "lib.star"), filepath.Join(root, "main.star")
	c := newClient(t)
	if p := c.open(libPath, lib); len(p.Diagnostics) != 0 {
		t.Fatalf("diagnostics of the module: %+v", p.Diagnostics)
	}
	if p := c.open(mainPath, main); len(p.Diagnostics) != 0 {
		t.Fatalf("diagnostics of the configuration: %+v", p.Diagnostics)
	}
	broken := "def web(name):\n    return service(name = name, owner = \"web\", image = \"r/web:1\", cpu = \"1\", mem = \"1Gi\")\n\nIMAGE = imag\n"
	c.edit(pathURI(libPath), 2, broken)
	got := map[string]PublishDiagnosticsParams{}
	for range 2 {
		p := c.next()
		got[p.URI] = p
	}
	want := "undefined: imag (did you mean IMAGE?)"
	if p := got[pathURI(libPath)]; len(p.Diagnostics) != 1 || p.Diagnostics[0].Message != want || p.Diagnostics[0].Range != (Range{Start: Position{Line: 3, Character: 8}, End: Position{Line: 3, Character: 12}}) {
		t.Errorf("diagnostics of the broken module: %+v, want %q at 4:9", p.Diagnostics, want)
	}
	if p := got[pathURI(mainPath)]; len(p.Diagnostics) != 1 || !strings.Contains(p.Diagnostics[0].Message, "lib.star:4:9: "+want) || p.Diagnostics[0].Range.Start.Line != 0 {
		t.Errorf("diagnostics of the configuration that loads it: %+v", p.Diagnostics)
	}
	c.edit(pathURI(libPath), 3, lib)
	for range 2 {
		if p := c.next(); len(p.Diagnostics) != 0 {
			t.Errorf("diagnostics of %s after the fix: %+v", p.URI, p.Diagnostics)
		}
	}
}

// TestPreludeDiagnostics edits a config root's prelude: its errors are its
// diagnostics, and every open file of the root, which sees the prelude's
// names, is diagnosed again.
func TestPreludeDiagnostics(t *testing.T) {
	prelude := "def web(name):\n    return service(name = name, owner = \"web\", image = \"r/web:1\", cpu = \"1\", mem = \"1Gi\")\n"
	main := "def main(ctx):\n    return web(\"a\")\n"
	root := writeTree(t, map[string]string{"svccfg.yaml": "prelude: prelude.star\n", "prelude.star": prelude, "main.star": main})
	preludePath, mainPath := filepath.Join(root, "prelude.star"), filepath.Join(root, "main.star")
	c := newClient(t)
	if p := c.open(preludePath, prelude); len(p.Diagnostics) != 0 {
		t.Fatalf("diagnostics of the prelude: %+v", p.Diagnostics)
	}
	if p := c.open(mainPath, main); len(p.Diagnostics) != 0 {
		t.Fatalf("diagnostics of the configuration: %+v", p.Diagnostics)
	}
	broken := prelude + "\nPORT = kube.cores(0)\n"
	c.edit(pathURI(preludePath), 2, broken)
	got := map[string]PublishDiagnosticsParams{}
	for range 2 {
		p := c.next()
		got[p.URI] = p
	}
	p := got[pathURI(preludePath)]
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Range.Start != (Position{Line: 3, Character: 17}) {
		t.Fatalf("diagnostics of the broken prelude: %+v, want one at 4:18", p.Diagnostics)
	}
	want := "kube.cores: got 0, want a number greater than zero"
	if got := p.Diagnostics[0].Message; got != want {
		t.Errorf("diagnostic of the broken prelude: %q, want %q", got, want)
	}
	if p := got[pathURI(mainPath)]; len(p.Diagnostics) != 1 || !strings.Contains(p.Diagnostics[0].Message, "prelude.star:4:18: "+want) {
		t.Errorf("diagnostics of the configuration under it: %+v, want prelude.star:4:18: %s", p.Diagnostics, want)
	}
}

// TestHostileFiles opens files whose evaluation never ends: the step limit
// or the deadline stops it, the diagnostic says which, and the server
// answers meanwhile.
func TestHostileFiles(t *testing.T) {
	loop := "def main(ctx):\n    for i in range(1 << 40):\n        pass\n    return []\n"
	c := newClientWith(t, Options{MaxSteps: 100_000}, map[string]any{})
	path := writeConfig(t, loop)
	p := c.open(path, loop)
	loopAt := Range{Start: Position{Line: 1, Character: 4}, End: Position{Line: 1, Character: 7}}
	want := "evaluation exceeded 100000 execution steps (raise the limit with --max-steps)"
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Message != want || p.Diagnostics[0].Range != loopAt {
		t.Errorf("diagnostics of an endless loop under a step limit: %+v, want %q at the for", p.Diagnostics, want)
	}

	c = newClientWith(t, Options{MaxSteps: 1 << 62, Timeout: 200 * time.Millisecond}, map[string]any{})
	uri := pathURI(path)
	if err := c.conn.Notify(context.Background(), "textDocument/didOpen", DidOpenParams{TextDocument: TextDocumentItem{URI: uri, Version: 1, Text: loop}}); err != nil {
		t.Fatal(err)
	}
	var symbols []DocumentSymbol
	c.call("textDocument/documentSymbol", DocumentParams{TextDocument: TextDocumentIdentifier{URI: uri}}, &symbols)
	if len(symbols) != 1 || symbols[0].Name != "main" {
		t.Errorf("symbols while the file is evaluated: %+v, want main", symbols)
	}
	p = c.wait(uri)
	want = "evaluation took longer than 200ms (raise the limit with --timeout)"
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Message != want || p.Diagnostics[0].Range != loopAt {
		t.Errorf("diagnostics of an endless loop under a deadline: %+v, want %q at the for", p.Diagnostics, want)
	}

	// A change cancels the evaluation of the text before it, which
	// publishes nothing.
	c = newClientWith(t, Options{MaxSteps: 1 << 62, Timeout: time.Minute}, map[string]any{})
	if err := c.conn.Notify(context.Background(), "textDocument/didOpen", DidOpenParams{TextDocument: TextDocumentItem{URI: uri, Version: 1, Text: loop}}); err != nil {
		t.Fatal(err)
	}
	p = c.change(uri, 2, "def main(ctx):\n    return []\n")
	if *p.Version != 2 || len(p.Diagnostics) != 0 {
		t.Errorf("first diagnostics after a change of an endless loop: version %d, %+v; want version 2 and none", *p.Version, p.Diagnostics)
	}
}

// TestHoverStrings hovers on string literals: an enum value, and a key of
// a dict literal that stands for a message.
func TestHoverStrings(t *testing.T) {
	c := newClient(t)
	text := "core = proto.package(\"k8s.io.api.core.v1\")\ncluster = proto.package(\"envoy.config.cluster.v3\")\n\ndef main(ctx):\n    c = core.Container(name = \"a\", ports = [{\"containerPort\": 80}])\n    return [cluster.Cluster(name = \"a\", lb_policy = \"LEAST_REQUEST\")]\n"
	path := writeConfig(t, text)
	c.open(path, text)
	hover := func(p Position) string { return c.hover(path, p) }
	if got := hover(at(t, text, "LEAST_REQUEST", 3)); !strings.HasPrefix(got, "```text\nenvoy.config.cluster.v3.Cluster.LEAST_REQUEST = 1\n") || !strings.Contains(got, "Values: ROUND_ROBIN, LEAST_REQUEST,") {
		t.Errorf("hover on an enum value:\n%s", got)
	}
	if got := hover(at(t, text, "containerPort", 3)); !strings.HasPrefix(got, "```text\nk8s.io.api.core.v1.ContainerPort.containerPort  int\n\nNumber of port to expose on the pod's IP address.") {
		t.Errorf("hover on a dict key for a field:\n%s", got)
	}
	if got := hover(at(t, text, "\"a\"", 1)); got != "" {
		t.Errorf("hover on a plain string: %q, want none", got)
	}
}
