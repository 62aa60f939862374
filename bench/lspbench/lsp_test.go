// Package lspbench measures svccfg lsp: how long diagnostics take to come
// back after a one-file change in a tree of generated services.
package lspbench

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/svccfg/svccfg/bench/internal/spec"
	"github.com/svccfg/svccfg/lib/lsp"
)

// BenchmarkDiagnoseChange times one didChange of a service's file in a
// tree of 10,000 services (100 a directory, one config root) until its
// diagnostics are published: the evaluation of that file, its build and
// lint. In "calls", the file also defines a service that calls one of
// another file, so the build checks the call against the services of the
// whole root, which the server builds once, when the file is opened: the
// open-ms metric is the time of the first diagnostics, that build included.
func BenchmarkDiagnoseChange(b *testing.B) {
	file, src := tree(b)
	caller := strings.Replace(string(src), "    return svc\n", `    return [svc, service(name = "caller", owner = "search", image = "registry.example.com/caller:1", port = 9000, cpu = "1", mem = "1Gi", calls = ["svc-00002"])]`+"\n", 1)
	if caller == string(src) {
		b.Fatalf("%s: no return svc", file)
	}
	for _, test := range []struct{ name, text string }{{"edit", string(src)}, {"calls", caller}} {
		b.Run(test.name, func(b *testing.B) { diagnoseChange(b, file, test.text) })
	}
}

// tree writes a tree of 10,000 generated services, 100 a directory, and
// returns the path and text of one of its files.
func tree(b *testing.B) (string, []byte) {
	dir := b.TempDir()
	if err := spec.WriteTree(dir, 10_000, 100); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(dir, "search-000", "svc-00001.star")
	src, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	return file, src
}

// start runs a language server, initialized, and returns the connection
// of its client and the diagnostics it publishes; the server stops when
// the benchmark ends.
func start(b *testing.B) (*jsonrpc2.Conn, chan lsp.PublishDiagnosticsParams) {
	a, c := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- lsp.Serve(ctx, a, lsp.Options{}) }()
	diags := make(chan lsp.PublishDiagnosticsParams, 1)
	conn := jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(c, jsonrpc2.VSCodeObjectCodec{}), jsonrpc2.HandlerWithError(
		func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
			if req.Method == "textDocument/publishDiagnostics" {
				var p lsp.PublishDiagnosticsParams
				json.Unmarshal(*req.Params, &p)
				select {
				case diags <- p:
				case <-ctx.Done():
				}
			}
			return nil, nil
		}))
	b.Cleanup(func() {
		conn.Close()
		cancel()
		<-done
	})
	if err := conn.Call(ctx, "initialize", map[string]any{"capabilities": map[string]any{}}, nil); err != nil {
		b.Fatal(err)
	}
	return conn, diags
}

func diagnoseChange(b *testing.B, file, src string) {
	ctx := context.Background()
	conn, diags := start(b)
	uri := "file://" + filepath.ToSlash(file)
	opened := time.Now()
	conn.Notify(ctx, "textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 0, "text": src}})
	if p := <-diags; len(p.Diagnostics) != 0 {
		b.Fatalf("the file has diagnostics: %+v", p.Diagnostics)
	}
	open := time.Since(opened)
	var times []time.Duration
	b.ResetTimer()
	for i := range b.N {
		text := fmt.Sprintf("%s\n# change %d\n", src, i)
		start := time.Now()
		conn.Notify(ctx, "textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": i + 1},
			"contentChanges": []map[string]any{{"text": text}},
		})
		p := <-diags
		times = append(times, time.Since(start))
		if *p.Version != i+1 || len(p.Diagnostics) != 0 {
			b.Fatalf("change %d: version %d, diagnostics %+v", i+1, *p.Version, p.Diagnostics)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(open.Milliseconds()), "open-ms")
}

// BenchmarkReferences times textDocument/references of a function that
// every file of a tree of 10,000 services loads and calls: each file is
// read, parsed and resolved, and its uses traced to the definition.
func BenchmarkReferences(b *testing.B) {
	file, src := tree(b)
	ctx := context.Background()
	conn, diags := start(b)
	uri := "file://" + filepath.ToSlash(file)
	conn.Notify(ctx, "textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 0, "text": string(src)}})
	if p := <-diags; len(p.Diagnostics) != 0 {
		b.Fatalf("the file has diagnostics: %+v", p.Diagnostics)
	}
	line := strings.Index(string(src), "ruby_service(")
	pos := map[string]any{"line": strings.Count(string(src[:line]), "\n"), "character": line - strings.LastIndexByte(string(src[:line]), '\n')}
	params := map[string]any{"textDocument": map[string]any{"uri": uri}, "position": pos, "context": map[string]any{"includeDeclaration": true}}
	b.ResetTimer()
	for range b.N {
		var locs []lsp.Location
		if err := conn.Call(ctx, "textDocument/references", params, &locs); err != nil {
			b.Fatal(err)
		}
		if len(locs) != 2*10_000+1 {
			b.Fatalf("%d references, want %d (a load and a call in each file, and the definition)", len(locs), 2*10_000+1)
		}
	}
}
