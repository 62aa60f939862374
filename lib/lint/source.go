package lint

import (
	"os"
	"regexp"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/syntax"
)

// sources holds the configuration files that findings point into, each
// read and parsed at most once.
type sources struct {
	files   map[string]*source
	overlay map[string][]byte // read before the disk
}

// A source is a parsed configuration file.
type source struct {
	file    *syntax.File // nil if the file cannot be read or parsed
	calls   map[diag.Position]*syntax.CallExpr
	ignores map[int][]ignore // by line
}

// An ignore is a rule named in a `# svccfg:ignore` comment.
type ignore struct {
	rule string
	pos  diag.Position // the comment's
}

func (s *sources) get(path string) *source {
	if src, ok := s.files[path]; ok {
		return src
	}
	src := &source{calls: make(map[diag.Position]*syntax.CallExpr)}
	s.files[path] = src
	if strings.HasPrefix(path, load.StdlibPrefix) {
		return src
	}
	data, ok := s.overlay[path]
	if !ok {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return src
		}
	}
	file, err := eval.ParseFile(path, data)
	if err != nil {
		return src
	}
	src.file, src.ignores = file, ignores(file)
	return src
}

// at returns the position to report a finding about what the call at pos
// produced: that of the first of args (keyword argument names) written in
// the call, or in a call nested in its arguments, or else pos.
func (s *sources) at(pos diag.Position, args ...string) diag.Position {
	if len(args) == 0 || !pos.IsValid() {
		return pos
	}
	src := s.get(pos.File)
	if src.file == nil {
		return pos
	}
	call, ok := src.calls[pos]
	if !ok {
		call = eval.CallAt(src.file, pos)
		src.calls[pos] = call
	}
	if call == nil {
		return pos
	}
	for _, name := range args {
		if p, ok := findArg(call, name); ok {
			return p
		}
	}
	return pos
}

// findArg returns the position of the keyword argument called name in
// call, or else in the first call nested in call's arguments that has one.
func findArg(call *syntax.CallExpr, name string) (diag.Position, bool) {
	var (
		found diag.Position
		ok    bool
	)
	syntax.Walk(call, func(n syntax.Node) bool {
		if ok {
			return false
		}
		if c, isCall := n.(*syntax.CallExpr); isCall {
			found, ok = eval.ArgPos(c, name, 0)
		}
		return !ok
	})
	return found, ok
}

// ignoreComment matches a `# svccfg:ignore rule[,rule...]` comment; text
// after the rule names is free.
var ignoreComment = regexp.MustCompile(`^#\s*svccfg:ignore\b\s*([^\s,#]+(?:\s*,\s*[^\s,#]+)*)?`)

// ignores returns the rules that the ignore comments of f name, by line.
func ignores(f *syntax.File) map[int][]ignore {
	m := make(map[int][]ignore)
	for _, c := range comments(f) {
		match := ignoreComment.FindStringSubmatch(c.Text)
		if match == nil {
			continue
		}
		pos := eval.Pos(c.Start)
		if match[1] == "" {
			m[pos.Line] = append(m[pos.Line], ignore{pos: pos})
			continue
		}
		for _, name := range strings.Split(match[1], ",") {
			m[pos.Line] = append(m[pos.Line], ignore{rule: strings.TrimSpace(name), pos: pos})
		}
	}
	return m
}

// comments returns every comment in f.
func comments(f *syntax.File) []syntax.Comment {
	var list []syntax.Comment
	syntax.Walk(f, func(n syntax.Node) bool {
		if n == nil {
			return true
		}
		if c := n.Comments(); c != nil {
			list = append(list, c.Before...)
			list = append(list, c.Suffix...)
			list = append(list, c.After...)
		}
		return true
	})
	return list
}

// ignoredFinding reports whether an ignore comment on the line of f, or
// on that of a call in its call chain, names f's rule.
func (s *sources) ignoredFinding(f Finding) bool {
	if s.ignored(f.Pos, f.Rule) {
		return true
	}
	for _, frame := range f.Stack {
		if s.ignored(frame.Pos, f.Rule) {
			return true
		}
	}
	return false
}

// ignored reports whether an ignore comment on the line of pos names rule.
func (s *sources) ignored(pos diag.Position, rule string) bool {
	if !pos.IsValid() {
		return false
	}
	for _, ig := range s.get(pos.File).ignores[pos.Line] {
		if ig.rule == rule {
			return true
		}
	}
	return false
}
