package lsp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/lint"
	"go.starlark.net/syntax"
)

// diagnose returns the diagnostics of a document: its syntax errors, and
// for a configuration file (one that defines main) the errors of building
// it and the lint findings on what it generates, as svccfg lint reports
// them, at the places in the document they point at.
func (s *Server) diagnose(ctx context.Context, d *document) []Diagnostic {
	src := []byte(d.text)
	f, err := eval.Parse(d.path, src)
	if err != nil {
		return s.errorDiagnostics(d, err)
	}
	opts := build.Options{
		Vars: s.opts.Vars, MaxSteps: s.opts.MaxSteps, Timeout: s.opts.Timeout,
		Cwd: filepath.Dir(d.path), Duplicates: true,
		Overlay: s.overlay(d),
	}
	if !eval.DefinesMain(f) {
		return s.diagnoseModule(ctx, d, opts)
	}
	var dir string
	if roots, err := build.Roots([]string{d.path}, build.FindOptions{}); err == nil && len(roots) == 1 {
		// Only a root that svccfg.yaml marks is a config set to build as
		// a whole; a loose file's directory may hold anything.
		if _, err := os.Stat(filepath.Join(roots[0].Dir, build.ConfigFile)); err == nil {
			dir = roots[0].Dir
		}
	}
	if p := s.readyPeers(dir); p != nil {
		opts.Peers = p.units(d.path)
	}
	out, err := build.Build(ctx, []string{d.path}, opts)
	if err != nil && opts.Peers == nil && dir != "" && build.CallsElsewhere(err) {
		// A call names a service that is not in this file: build the
		// rest of the config root, once, and check the call against it.
		p := s.peerSet(dir)
		select {
		case <-p.done:
		case <-ctx.Done():
			return nil
		}
		opts.Peers = p.units(d.path)
		out, err = build.Build(ctx, []string{d.path}, opts)
	}
	if err != nil {
		return s.errorDiagnostics(d, err)
	}
	s.setMade(d.uri, d.version, generated(out))
	findings, err := lint.Run(out, lint.Options{Cwd: opts.Cwd, Overlay: opts.Overlay})
	if err != nil {
		return s.errorDiagnostics(d, err)
	}
	diags := []Diagnostic{}
	for _, fd := range findings {
		e := &diag.Error{Pos: fd.Pos, Msg: fd.Msg, Stack: fd.Stack}
		dg := s.toDiagnostic(d, e, SeverityWarning)
		dg.Code = fd.Rule
		diags = append(diags, dg)
	}
	return diags
}

// diagnoseModule returns the diagnostics of a file without main, a module
// that configuration files load (or a test file): the errors of executing
// it, as a load() of it would, in its config root; a prelude is executed
// as every build of its root executes it first.
func (s *Server) diagnoseModule(ctx context.Context, d *document, opts build.Options) []Diagnostic {
	if root := build.FindRoot(d.path, false); build.PreludeOf(root) == d.path {
		if _, err := build.LoadPrelude(ctx, root, opts); err != nil {
			return s.errorDiagnostics(d, err)
		}
		return []Diagnostic{}
	}
	roots, err := build.Roots([]string{d.path}, build.FindOptions{Overlay: opts.Overlay})
	if err != nil {
		return s.errorDiagnostics(d, err)
	}
	if len(roots) != 1 {
		return []Diagnostic{}
	}
	ev := build.NewEvaluator(s.std, roots[0], opts)
	thread, stop := ev.NewThread(ctx, nil)
	defer stop()
	err = ev.Bounded(ctx, func() error {
		_, err := ev.ExecFile(thread, d.path)
		return err
	})
	if err != nil {
		return s.errorDiagnostics(d, err)
	}
	return []Diagnostic{}
}

// overlay returns the texts of the open documents, d's as diagnosed, by
// path: what a build reads in place of the files on disk.
func (s *Server) overlay(d *document) map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string][]byte, len(s.files))
	for _, o := range s.files {
		if o.path != "" {
			m[o.path] = []byte(o.text)
		}
	}
	m[d.path] = []byte(d.text)
	return m
}

// errorDiagnostics converts the error of parsing or building a document.
func (s *Server) errorDiagnostics(d *document, err error) []Diagnostic {
	var errs []*diag.Error
	var list diag.ErrorList
	var one *diag.Error
	var syn syntax.Error
	switch {
	case errors.As(err, &list):
		errs = list
	case errors.As(err, &one):
		errs = []*diag.Error{one}
	case errors.As(err, &syn):
		errs = []*diag.Error{{Pos: eval.Pos(syn.Pos), Msg: syn.Msg}}
	default:
		errs = []*diag.Error{{Pos: diag.Position{File: d.path, Line: 1, Col: 1}, Msg: err.Error()}}
	}
	diags := []Diagnostic{}
	for _, e := range errs {
		diags = append(diags, s.toDiagnostic(d, e, SeverityError))
	}
	return diags
}

// toDiagnostic places e in document d: at its own position when that is in
// d, or else at the innermost caller of its call chain that is (a call of
// a loaded module's function that failed), or at the top of d for an error
// of another file that d's evaluation reached. The call chain becomes the
// related information.
func (s *Server) toDiagnostic(d *document, e *diag.Error, severity int) Diagnostic {
	pos, msg := e.Pos, e.Msg
	if pos.File != d.path {
		found := false
		for _, fr := range e.Stack {
			if fr.Pos.File == d.path {
				pos, found = fr.Pos, true
				break
			}
		}
		if !found {
			pos = diag.Position{File: d.path, Line: 1, Col: 1}
		}
		if e.Pos.IsValid() {
			msg = fmt.Sprintf("%s: %s", e.Pos.Format(filepath.Dir(d.path)), e.Msg)
		}
	}
	dg := Diagnostic{Range: wordRange(d.text, pos), Severity: severity, Source: "svccfg", Message: msg}
	if e.Pos.File != d.path && e.Pos.IsValid() {
		dg.RelatedInformation = append(dg.RelatedInformation, RelatedInformation{Location: s.location(e.Pos), Message: e.Msg})
	}
	for _, fr := range e.Stack {
		if fr.Pos == pos {
			continue
		}
		dg.RelatedInformation = append(dg.RelatedInformation, RelatedInformation{Location: s.location(fr.Pos), Message: "called from " + fr.Func})
	}
	return dg
}

// location returns the location of a position of any file.
// A standard library file's is that of its copy in [Server.stdlibDir].
func (s *Server) location(p diag.Position) Location {
	text, _ := s.sourceOf(p.File)
	start := toLSP(text, syntax.MakePosition(nil, int32(p.Line), int32(p.Col)))
	return Location{URI: s.uriOf(p.File), Range: Range{Start: start, End: start}}
}

// wordRange returns the range of the word (an identifier, a number or a
// string literal) at p in text, or of the one character there.
func wordRange(text string, p diag.Position) Range {
	line := max(p.Line-1, 0)
	lines := strings.Split(text, "\n")
	if line >= len(lines) {
		return Range{Start: Position{Line: line}, End: Position{Line: line}}
	}
	runes := []rune(lines[line])
	start := min(max(p.Col-1, 0), len(runes))
	end := start
	switch {
	case end < len(runes) && isWord(runes[end]):
		for end < len(runes) && isWord(runes[end]) {
			end++
		}
	case end < len(runes) && (runes[end] == '"' || runes[end] == '\''):
		q := runes[end]
		end++
		for end < len(runes) && runes[end] != q {
			if runes[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end+1, len(runes))
	case end < len(runes):
		end++
	}
	return Range{Start: Position{Line: line, Character: utf16Len(runes[:start])}, End: Position{Line: line, Character: utf16Len(runes[:end])}}
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func utf16Len(rs []rune) int { return len(utf16.Encode(rs)) }

// offset returns the byte offset in text of an LSP position.
func offset(text string, p Position) int {
	off := 0
	for range p.Line {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	units := 0
	for i, r := range text[off:] {
		if units >= p.Character || r == '\n' {
			return off + i
		}
		units += len(utf16.Encode([]rune{r}))
	}
	return len(text)
}

// position returns the LSP position of a byte offset in text.
func position(text string, off int) Position {
	off = min(off, len(text))
	before := text[:off]
	line := strings.Count(before, "\n")
	start := strings.LastIndexByte(before, '\n') + 1
	return Position{Line: line, Character: utf16Len([]rune(before[start:]))}
}
