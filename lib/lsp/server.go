// Package lsp is svccfg's language server: it speaks the Language Server
// Protocol over a stream (svccfg lsp runs it on stdin and stdout) and
// answers an editor with what svccfg knows of a configuration file: the
// errors of evaluating it and the lint findings on what it generates, as
// diagnostics; the documentation of the standard library and of every
// message type and field, on hover; names, keyword arguments, fields and
// message types as completions; definitions, references and renames of
// its names across the config root; its definitions as symbols; formatting
// as svccfg fmt does it; and the fix of each did-you-mean.
//
// Evaluation runs as svccfg build runs it, sandboxed with its step limit
// and a deadline, on the editor's unsaved text: each change cancels the
// evaluation of the text before it.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/doc"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/k8s"
)

// Options configures a Server.
type Options struct {
	// MaxSteps and Timeout bound the evaluation of one file, as for
	// svccfg build; zero means the defaults of lib/eval, but a Timeout of
	// at most DefaultTimeout.
	MaxSteps uint64
	Timeout  time.Duration
	// Vars override the variables of svccfg.yaml, as --var does.
	Vars map[string]string
	// Log, if not nil, receives the messages of the connection that are
	// not for the client, such as a notification it sent with invalid
	// parameters, one per line.
	Log io.Writer
}

// DefaultTimeout bounds the evaluation of one file for diagnostics: an
// editor waits for them, so a file that runs longer is reported as such.
const DefaultTimeout = 10 * time.Second

// A Server is one language server session.
type Server struct {
	opts Options
	std  *eval.Stdlib
	docs *doc.Docs

	ctx context.Context // ends with the session

	stdlibOnce sync.Once
	stdlib     string // see stdlibDir

	// Only the connection's handler uses these: watch, whether the client
	// watches files for the server; loads, while a request that traces
	// many names runs, what loaded found.
	watch bool
	loads map[loadKey][]Location

	mu       sync.Mutex
	files    map[string]*document // by URI
	peerSets map[string]*peerSet  // by config root directory
	wg       sync.WaitGroup
}

// A document is an open file.
type document struct {
	uri     string
	path    string
	version int
	text    string
	cancel  context.CancelFunc // of its running diagnosis
	// made is what the last build of the text of version madeVersion
	// generated.
	made        []made
	madeVersion int
}

// Serve runs a language server on rwc until the client exits or the
// stream closes.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	std, err := eval.DefaultStdlib()
	if err != nil {
		return err
	}
	if opts.Timeout == 0 || opts.Timeout > DefaultTimeout {
		opts.Timeout = DefaultTimeout
	}
	s := &Server{opts: opts, std: std, docs: doc.New(std, k8s.Comments()), files: make(map[string]*document), peerSets: make(map[string]*peerSet)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx = ctx
	stream := &readStream{ObjectStream: jsonrpc2.NewBufferedStream(rwc, jsonrpc2.VSCodeObjectCodec{})}
	conn := jsonrpc2.NewConn(ctx, stream, jsonrpc2.HandlerWithError(s.handle), jsonrpc2.SetLogger(&connLog{w: opts.Log}))
	select {
	case <-conn.DisconnectNotify():
	case <-ctx.Done():
		conn.Close()
	}
	cancel()
	s.wg.Wait()
	if err := stream.failure(); err != nil {
		return fmt.Errorf("reading the client's messages: %v", err)
	}
	return nil
}

// readStream is the stream of a connection: it keeps the error that ended
// the reading of the client's messages, if one did (a malformed frame),
// for Serve to return. It has the error before the connection closes, so
// Serve, woken by the close, finds it.
type readStream struct {
	jsonrpc2.ObjectStream
	mu     sync.Mutex
	err    error
	closed bool // which ends the reading
}

// ReadObject implements jsonrpc2.ObjectStream.
func (r *readStream) ReadObject(v any) error {
	err := r.ObjectStream.ReadObject(v)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		r.mu.Lock()
		if !r.closed && r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
	}
	return err
}

// Close implements jsonrpc2.ObjectStream. The connection closes its
// stream whatever ends it: the error of a read after that is no protocol
// error.
func (r *readStream) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return r.ObjectStream.Close()
}

func (r *readStream) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// connLog is the logger of a connection: it writes its messages to w but
// the protocol error that ended it, which Serve returns.
type connLog struct {
	w  io.Writer
	mu sync.Mutex
}

// Printf implements jsonrpc2.Logger.
func (l *connLog) Printf(format string, v ...any) {
	msg := strings.TrimSpace(fmt.Sprintf(format, v...))
	if l.w == nil || strings.HasPrefix(msg, "jsonrpc2: protocol error: ") {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "svccfg lsp: %s\n", strings.TrimPrefix(strings.TrimPrefix(msg, "jsonrpc2 handler: "), "jsonrpc2: "))
}

// handle answers one request or notification; the connection calls it for
// one message at a time, in order.
func (s *Server) handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
	switch req.Method {
	case "initialize":
		var p InitializeParams
		if err := unmarshal(req, &p); err != nil {
			return nil, err
		}
		s.watch = p.Capabilities.Workspace.DidChangeWatchedFiles.DynamicRegistration
		return map[string]any{
			"capabilities": map[string]any{
				"textDocumentSync":           map[string]any{"openClose": true, "change": 1, "save": map[string]any{"includeText": false}},
				"hoverProvider":              true,
				"completionProvider":         map[string]any{"triggerCharacters": []string{".", "(", ","}},
				"documentSymbolProvider":     true,
				"definitionProvider":         true,
				"referencesProvider":         true,
				"renameProvider":             map[string]any{"prepareProvider": true},
				"documentHighlightProvider":  true,
				"signatureHelpProvider":      map[string]any{"triggerCharacters": []string{"(", ","}},
				"documentFormattingProvider": true,
				"codeActionProvider":         map[string]any{"codeActionKinds": []string{"quickfix"}},
			},
			"serverInfo": map[string]any{"name": "svccfg"},
		}, nil
	case "initialized":
		if s.watch {
			s.registerWatchers(conn)
		}
		return nil, nil
	case "workspace/didChangeWatchedFiles":
		var p DidChangeWatchedFilesParams
		if err := unmarshal(req, &p); err != nil {
			return nil, err
		}
		var paths []string
		for _, c := range p.Changes {
			if path, ok := filePath(c.URI); ok {
				paths = append(paths, path)
			}
		}
		s.filesChanged(conn, paths)
		return nil, nil
	case "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration":
		return nil, nil
	case "shutdown":
		return nil, nil
	case "exit":
		conn.Close()
		return nil, nil
	case "textDocument/didOpen":
		var p DidOpenParams
		if err := unmarshal(req, &p); err != nil {
			return nil, err
		}
		s.update(conn, p.TextDocument.URI, p.TextDocument.Version, p.TextDocument.Text)
		return nil, nil
	case "textDocument/didChange":
		var p DidChangeParams
		if err := unmarshal(req, &p); err != nil {
			return nil, err
		}
		if n := len(p.ContentChanges); n > 0 {
			s.update(conn, p.TextDocument.URI, p.TextDocument.Version, p.ContentChanges[n-1].Text)
		}
		return nil, nil
	case "textDocument/didSave":
		var p DocumentParams
		if err := unmarshal(req, &p); err != nil {
			return nil, err
		}
		if d := s.file(p.TextDocument.URI); d != nil {
			s.forgetPeers(d.path)
			s.update(conn, d.uri, d.version, d.text)
		}
		return nil, nil
	case "textDocument/didClose":
		var p DocumentParams
		if err := unmarshal(req, &p); err != nil {
			return nil, err
		}
		s.close(ctx, conn, p.TextDocument.URI)
		return nil, nil
	case "textDocument/hover":
		return onDocument(s, req, nil, func(d *document, p PositionParams) (any, error) {
			return s.hover(d, p.Position), nil
		})
	case "textDocument/completion":
		return onDocument(s, req, CompletionList{Items: []CompletionItem{}}, func(d *document, p PositionParams) (any, error) {
			return s.complete(d, p.Position), nil
		})
	case "textDocument/signatureHelp":
		return onDocument(s, req, nil, func(d *document, p PositionParams) (any, error) {
			return s.signatureHelp(d, p.Position), nil
		})
	case "textDocument/definition":
		return onDocument(s, req, []Location{}, func(d *document, p PositionParams) (any, error) {
			return s.definition(d, p.Position), nil
		})
	case "textDocument/references":
		return onDocument(s, req, []Location{}, func(d *document, p ReferenceParams) (any, error) {
			return s.references(d, p.Position, p.Context.IncludeDeclaration), nil
		})
	case "textDocument/prepareRename":
		return onDocument(s, req, nil, func(d *document, p PositionParams) (any, error) {
			return s.prepareRename(d, p.Position)
		})
	case "textDocument/rename":
		return onDocument(s, req, nil, func(d *document, p RenameParams) (any, error) {
			return s.rename(d, p.Position, p.NewName)
		})
	case "textDocument/documentHighlight":
		return onDocument(s, req, []DocumentHighlight{}, func(d *document, p PositionParams) (any, error) {
			return s.highlights(d, p.Position), nil
		})
	case "textDocument/documentSymbol":
		return onDocument(s, req, []DocumentSymbol{}, func(d *document, _ DocumentParams) (any, error) {
			return symbols(d), nil
		})
	case "textDocument/formatting":
		return onDocument(s, req, []TextEdit{}, func(d *document, _ DocumentParams) (any, error) {
			return formatting(d)
		})
	case "textDocument/codeAction":
		return onDocument(s, req, []CodeAction{}, func(d *document, p CodeActionParams) (any, error) {
			return codeActions(d, p.Context.Diagnostics), nil
		})
	}
	if req.Notif {
		return nil, nil
	}
	return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: fmt.Sprintf("svccfg lsp does not answer %s", req.Method)}
}

// documentParams are the parameters of a request about one document.
type documentParams interface {
	PositionParams | DocumentParams | CodeActionParams | ReferenceParams | RenameParams
	uri() string
}

// onDocument decodes the parameters of req and answers it with f on the
// open document they name, or with empty if it is not open.
func onDocument[P documentParams](s *Server, req *jsonrpc2.Request, empty any, f func(*document, P) (any, error)) (any, error) {
	var p P
	if err := unmarshal(req, &p); err != nil {
		return nil, err
	}
	if d := s.file(p.uri()); d != nil {
		return f(d, p)
	}
	return empty, nil
}

func unmarshal(req *jsonrpc2.Request, v any) error {
	if req.Params == nil {
		return &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: req.Method + ": no parameters"}
	}
	if err := json.Unmarshal(*req.Params, v); err != nil {
		return &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: fmt.Sprintf("%s: %v", req.Method, err)}
	}
	return nil
}

// file returns the open document at uri, or nil.
func (s *Server) file(uri string) *document {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.files[uri]
	if d == nil {
		return nil
	}
	c := *d
	return &c
}

// update records a document's new text and diagnoses it, cancelling the
// diagnosis of its earlier text; the open documents of its config root
// that may load it (whose text names its file), or all of them if it is
// the root's prelude, are diagnosed again too.
func (s *Server) update(conn *jsonrpc2.Conn, uri string, version int, text string) {
	path, _ := uriPath(uri)
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.files[uri]
	if d == nil {
		d = &document{uri: uri, path: path}
		s.files[uri] = d
	}
	d.version, d.text = version, text
	s.startDiagnosis(conn, d)
	if path == "" || len(s.files) == 1 {
		return
	}
	root := build.FindRoot(path, false)
	prelude := build.PreludeOf(root) == path // which every file of the root sees
	for _, o := range s.files {
		if o != d && o.path != "" && (prelude || strings.Contains(o.text, filepath.Base(path))) && build.FindRoot(o.path, false) == root {
			s.startDiagnosis(conn, o)
		}
	}
}

// startDiagnosis cancels the running diagnosis of d and starts one of its
// current text, which publishes the diagnostics unless cancelled in turn.
// s.mu must be held.
func (s *Server) startDiagnosis(conn *jsonrpc2.Conn, d *document) {
	if d.cancel != nil {
		d.cancel()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	d.cancel = cancel
	snap := *d
	if snap.path == "" { // not a .star file: nothing to diagnose
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		diags := s.diagnose(ctx, &snap)
		if ctx.Err() != nil {
			return
		}
		v := snap.version
		conn.Notify(context.Background(), "textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: snap.uri, Version: &v, Diagnostics: diags})
	}()
}

// setMade records what the build of version of a document generated.
func (s *Server) setMade(uri string, version int, ms []made) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.files[uri]; d != nil && d.version == version {
		d.made, d.madeVersion = ms, version
	}
}

// close forgets a document and clears its diagnostics.
func (s *Server) close(ctx context.Context, conn *jsonrpc2.Conn, uri string) {
	s.mu.Lock()
	if d := s.files[uri]; d != nil && d.cancel != nil {
		d.cancel()
	}
	delete(s.files, uri)
	s.mu.Unlock()
	conn.Notify(ctx, "textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: uri, Diagnostics: []Diagnostic{}})
}

// registerWatchers asks the client to tell the server of changes to the
// files that builds read, which another program than the editor may make
// (a git checkout, a code generator). It sends the request before the
// next message is read, and does not wait for the answer: the connection
// reads it after the current message.
func (s *Server) registerWatchers(conn *jsonrpc2.Conn) {
	params := map[string]any{"registrations": []map[string]any{{
		"id": "svccfg-files", "method": "workspace/didChangeWatchedFiles",
		"registerOptions": map[string]any{"watchers": []map[string]any{
			{"globPattern": "**/*.star"}, {"globPattern": "**/" + build.ConfigFile},
		}},
	}}}
	report := func(err error) {
		if err != nil && !errors.Is(err, jsonrpc2.ErrClosed) && s.ctx.Err() == nil {
			fmt.Fprintf(logWriter(s.opts.Log), "svccfg lsp: the client does not watch files: %v\n", err)
		}
	}
	w, err := conn.DispatchCall(s.ctx, "client/registerCapability", params)
	if err != nil {
		report(err)
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var ignored any
		report(w.Wait(s.ctx, &ignored))
	}()
}

// filesChanged drops what the server knows of the config roots that hold
// paths, changed on disk, and diagnoses the open documents of those roots
// again.
func (s *Server) filesChanged(conn *jsonrpc2.Conn, paths []string) {
	var dirs []string // of the roots that hold paths
	for _, path := range paths {
		s.forgetPeers(path)
		dir := build.FindRoot(path, false)
		if filepath.Base(path) == build.ConfigFile {
			dir = filepath.Dir(path) // a root that appeared or went
		}
		dirs = append(dirs, dir)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.files {
		if d.path == "" {
			continue
		}
		root := build.FindRoot(d.path, false)
		for i, dir := range dirs {
			if under(d.path, dir) || under(paths[i], root) {
				s.startDiagnosis(conn, d)
				break
			}
		}
	}
}

// under reports whether path is dir or under it.
func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

// logWriter returns w, or io.Discard if w is nil.
func logWriter(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// uriPath returns the absolute path of a file: URI of a .star file.
func uriPath(uri string) (string, bool) {
	path, ok := filePath(uri)
	if !ok || !strings.HasSuffix(path, ".star") {
		return "", false
	}
	return path, true
}

// filePath returns the absolute path of a file: URI.
func filePath(uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return "", false
	}
	return filepath.Clean(filepath.FromSlash(u.Path)), true
}

// pathURI returns the file: URI of an absolute path.
func pathURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
