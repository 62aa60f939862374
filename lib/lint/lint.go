package lint

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// A Rule is one policy check.
type Rule struct {
	Name  string // kebab-case, as findings, ignore comments and svccfg.yaml write it
	Doc   string // one line
	check func(p *pass)
}

// Rules returns every rule, sorted by name.
func Rules() []*Rule {
	return slices.Clone(rules)
}

// rule returns the rule called name, or nil.
func rule(name string) *Rule {
	i, ok := slices.BinarySearchFunc(rules, name, func(r *Rule, name string) int { return strings.Compare(r.Name, name) })
	if !ok {
		return nil
	}
	return rules[i]
}

// suggest returns " (did you mean NAME?)" for the rule whose name starts
// with the unknown name x and a '-', or else the nearest in spelling, or "".
func suggest(x string) string {
	var names, prefixed []string
	for _, r := range rules {
		names = append(names, r.Name)
		if strings.HasPrefix(r.Name, x+"-") {
			prefixed = append(prefixed, r.Name)
		}
	}
	near := diag.Nearest(x, names)
	if len(prefixed) == 1 {
		near = prefixed[0]
	}
	if near == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", near)
}

// A Finding is a rule's report about the configuration.
type Finding struct {
	Pos diag.Position
	// Stack is the call chain from Pos back to the main that led to it,
	// innermost first, when a helper function made the object or resource
	// that the finding is about.
	Stack []diag.Frame
	Rule  string
	Msg   string
}

// origin returns the line of the configuration file whose main led to the
// finding: the outermost frame of its call chain, or Pos.
func (f Finding) origin() diag.Position {
	if len(f.Stack) > 0 {
		return f.Stack[len(f.Stack)-1].Pos
	}
	return f.Pos
}

// Options configures [Run].
type Options struct {
	// Cwd is the directory that paths in messages are relative to.
	Cwd string
	// Overlay, if not nil, holds the contents of .star files by absolute
	// path, read in place of the files on disk for the positions of
	// findings and their ignore comments, as the build read them
	// ([build.Options.Overlay]).
	Overlay map[string][]byte
}

// Run checks what a build produced (built with [build.Options.Duplicates],
// so that duplicates are findings rather than errors) with every rule that
// the svccfg.yaml of the config root does not disable. It returns the
// findings that no ignore comment silences (on the line of the finding or
// of a call in its call chain), sorted by path (relative to opts.Cwd),
// line, column, rule, message and call chain. An unknown rule name in a
// svccfg.yaml is a positioned error.
func Run(out *build.Output, opts Options) ([]Finding, error) {
	disabled, err := disabledRules(out.Roots)
	if err != nil {
		return nil, err
	}
	p := &pass{cwd: opts.Cwd, src: &sources{files: make(map[string]*source), overlay: opts.Overlay}, duplicates: out.Duplicates}
	if err := p.collect(out.Units); err != nil {
		return nil, err
	}
	for _, r := range rules {
		p.rule = r
		r.check(p)
	}
	var findings []Finding
	for _, f := range p.findings {
		if !disabled(f) && !p.src.ignoredFinding(f) {
			findings = append(findings, f)
		}
	}
	comparePos := func(a, b diag.Position) int {
		return cmp.Or(
			strings.Compare(diag.RelPath(a.File, opts.Cwd), diag.RelPath(b.File, opts.Cwd)),
			cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	}
	slices.SortFunc(findings, func(a, b Finding) int {
		return cmp.Or(comparePos(a.Pos, b.Pos), strings.Compare(a.Rule, b.Rule), strings.Compare(a.Msg, b.Msg),
			slices.CompareFunc(a.Stack, b.Stack, func(x, y diag.Frame) int {
				return cmp.Or(comparePos(x.Pos, y.Pos), strings.Compare(x.Func, y.Func))
			}))
	})
	return slices.CompactFunc(findings, func(a, b Finding) bool {
		return a.Pos == b.Pos && a.Rule == b.Rule && a.Msg == b.Msg && slices.Equal(a.Stack, b.Stack)
	}), nil
}

// disabledRules checks the rule names that the svccfg.yaml files of roots
// disable, and returns whether a finding is about a rule disabled in its
// config root.
func disabledRules(roots []build.Root) (func(Finding) bool, error) {
	var errs diag.ErrorList
	off := make(map[string]map[string]bool) // by root directory
	rootOf := make(map[string]string)       // the root directory of each file built
	for _, root := range roots {
		off[root.Dir] = make(map[string]bool)
		for _, f := range root.Files {
			rootOf[f] = root.Dir
		}
		for _, s := range root.Config.Lint.Disable {
			if rule(s.Value) == nil {
				errs.Add(s.Pos, fmt.Sprintf("lint: disable: unknown rule %q%s (see svccfg lint --rules)", s.Value, suggest(s.Value)))
				continue
			}
			off[root.Dir][s.Value] = true
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return func(f Finding) bool {
		// The finding's root is that of the file whose main led to it,
		// or else (for a module that a file loaded) the innermost one
		// that holds the file.
		file := f.origin().File
		best, ok := rootOf[file]
		for dir := range off {
			if !ok && within(dir, file) && len(dir) > len(best) {
				best = dir
			}
		}
		return off[best][f.Rule]
	}, nil
}

// within reports whether file is under dir.
func within(dir, file string) bool {
	rel, err := filepath.Rel(dir, file)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// A pass is the run of the rules on one build's output.
type pass struct {
	cwd        string
	src        *sources
	objects    []object
	resources  []resource
	duplicates []build.Duplicate
	rule       *Rule // the rule running
	findings   []Finding
}

// An object is a built Kubernetes object, as its k8s.io/api struct.
type object struct {
	src  build.Source // the call that produced it
	obj  runtime.Object
	meta metav1.Object
	kind string
}

// String returns `Kind "name"`.
func (o object) String() string { return fmt.Sprintf("%s %q", o.kind, o.meta.GetName()) }

// A resource is a built Envoy resource, as its go-control-plane message.
type resource struct {
	src  build.Source
	msg  proto.Message
	name string
}

// String returns `Type "name"`.
func (r resource) String() string {
	return fmt.Sprintf("%s %q", r.msg.ProtoReflect().Descriptor().Name(), r.name)
}

// collect gathers the typed objects and Envoy messages of units: as the
// build kept them, or decoded from their JSON if it kept that (a build
// without [build.Options.Typed], or a file whose evaluation came from the
// cache).
func (p *pass) collect(units []*build.Unit) error {
	for _, u := range units {
		for i := range u.Objects {
			o := &u.Objects[i]
			obj, err := o.Typed()
			if err != nil {
				return diag.Errorf(o.Source.Pos, "lint: %v", err)
			}
			m, err := meta.Accessor(obj)
			if err != nil {
				return diag.Errorf(o.Source.Pos, "lint: %s %q: %v", o.Kind, o.Name, err)
			}
			p.objects = append(p.objects, object{src: o.Source, obj: obj, meta: m, kind: o.Kind})
		}
		for i := range u.Envoy {
			r := &u.Envoy[i]
			m, err := r.Message()
			if err != nil {
				return diag.Errorf(r.Source.Pos, "lint: %v", err)
			}
			p.resources = append(p.resources, resource{src: r.Source, msg: m, name: r.Name})
		}
	}
	return nil
}

// report records a finding of the running rule about what the call src
// produced, at the first of args written in that call (see [sources.at]),
// with the call's call chain.
func (p *pass) report(src build.Source, args []string, format string, a ...any) {
	p.findings = append(p.findings, Finding{Pos: p.src.at(src.Pos, args...), Stack: src.Stack, Rule: p.rule.Name, Msg: fmt.Sprintf(format, a...)})
}

// args returns its arguments: the names of the arguments to point at.
func args(names ...string) []string { return names }
