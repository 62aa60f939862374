package eval

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"k8s.io/apimachinery/pkg/api/resource"
)

// A Signature describes a public standard library function, as its Starlark
// docstring documents it. The docstring is the one source of truth: the
// types it gives are the types a call is checked against, and `svccfg doc`
// prints it.
//
// The docstring's first line is a summary, further paragraphs describe the
// function, and an "Args:" section gives every parameter as
//
//	name (type): description, which may continue on more indented lines.
type Signature struct {
	Name    string  // the name users call it by, such as "kube.cores"
	Summary string  // the docstring's first line
	Doc     string  // the docstring's paragraphs before Args:
	Params  []Param // in declaration order
}

// A Param is one parameter of a [Signature].
type Param struct {
	Name    string
	Type    string // as written in the docstring, such as "list of string or None"
	Default string // the default value in Starlark syntax; "" if required
	Doc     string

	check typeCheck
}

var argLine = regexp.MustCompile(`^(\w+) \((.+?)\): (.*)$`)

// ParseSignature returns the signature of fn, called name, from its
// docstring, and checks that every parameter is documented with a type.
func ParseSignature(name string, fn *starlark.Function) (*Signature, error) {
	pos := fn.Position()
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", pos, name, fmt.Sprintf(format, args...))
	}
	doc := strings.TrimSpace(dedent(fn.Doc()))
	if doc == "" {
		return nil, fail("no docstring")
	}
	if fn.HasVarargs() || fn.HasKwargs() {
		return nil, fail("public functions take named parameters only, not *args or **kwargs")
	}
	sig := &Signature{Name: name}
	body, args, _ := strings.Cut(doc, "\nArgs:\n")
	sig.Summary, sig.Doc, _ = strings.Cut(body, "\n")
	sig.Summary, sig.Doc = strings.TrimSpace(sig.Summary), strings.TrimSpace(sig.Doc)
	byName := make(map[string]*Param)
	var last *Param
	for _, line := range strings.Split(dedent("\n"+args), "\n") {
		if line == "" {
			continue
		}
		if m := argLine.FindStringSubmatch(line); m != nil {
			check, err := parseType(m[2])
			if err != nil {
				return nil, fail("parameter %s: %v", m[1], err)
			}
			last = &Param{Name: m[1], Type: m[2], Doc: m[3], check: check}
			byName[m[1]] = last
			continue
		}
		if last == nil || !strings.HasPrefix(line, " ") {
			return nil, fail("docstring Args: want lines of the form `name (type): description`, got %q", strings.TrimSpace(line))
		}
		last.Doc += " " + strings.TrimSpace(line)
	}
	for i := range fn.NumParams() {
		pname, _ := fn.Param(i)
		p, ok := byName[pname]
		if !ok {
			return nil, fail("parameter %s is not documented in the docstring's Args section", pname)
		}
		delete(byName, pname)
		if d := fn.ParamDefault(i); d != nil {
			p.Default = d.String()
		}
		sig.Params = append(sig.Params, *p)
	}
	for pname := range byName {
		return nil, fail("the docstring documents %s, which is not a parameter", pname)
	}
	return sig, nil
}

// dedent removes the common leading indentation of s's lines after the first.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	indent := -1
	for _, l := range lines[1:] {
		if t := strings.TrimLeft(l, " "); t != "" {
			if n := len(l) - len(t); indent < 0 || n < indent {
				indent = n
			}
		}
	}
	for i := 1; i < len(lines); i++ {
		if len(lines[i]) >= indent && indent > 0 {
			lines[i] = lines[i][indent:]
		} else {
			lines[i] = strings.TrimLeft(lines[i], " ")
		}
	}
	return strings.Join(lines, "\n")
}

// A typeCheck returns "" if v has the type, or else what is wrong with it
// ("got string, want int").
type typeCheck func(v starlark.Value) string

// parseType parses a docstring type: alternatives joined by " or ", each
// string, int, float, bool, None, any, Quantity (a Quantity or a quantity
// string such as "250m"), Seconds (an int or a duration string such
// as "1m30s"), Command, one of the [RecordKinds], "list of T" or "dict of K
// to V".
func parseType(text string) (typeCheck, error) {
	union, err := parseUnion(text)
	if err != nil {
		return nil, err
	}
	want := text
	if strings.HasPrefix(text, "(") && strings.HasSuffix(text, ")") && len(splitAlternatives(text)) == 1 {
		want = text[1 : len(text)-1]
	}
	return func(v starlark.Value) string {
		if ok, inner := union(v); ok {
			return inner
		}
		return fmt.Sprintf("got %s, want %s", TypeOf(v), want)
	}, nil
}

// parseUnion returns a function reporting whether v is of one of the
// alternatives of text and, if so, what is wrong inside it.
func parseUnion(text string) (func(starlark.Value) (bool, string), error) {
	var alts []func(starlark.Value) (ok bool, inner string)
	for _, alt := range splitAlternatives(text) {
		f, err := parseAlt(alt)
		if err != nil {
			return nil, err
		}
		alts = append(alts, f)
	}
	return func(v starlark.Value) (bool, string) {
		for _, f := range alts {
			if ok, inner := f(v); ok {
				return true, inner
			}
		}
		return false, ""
	}, nil
}

// splitAlternatives splits text at the " or " outside parentheses, so that
// "dict of string to (string or EnvSource) or None" has two alternatives.
func splitAlternatives(text string) []string {
	var alts []string
	depth, start := 0, 0
	for i := 0; i < len(text); i++ {
		switch {
		case text[i] == '(':
			depth++
		case text[i] == ')':
			depth--
		case depth == 0 && strings.HasPrefix(text[i:], " or "):
			alts = append(alts, text[start:i])
			start = i + len(" or ")
			i = start - 1
		}
	}
	return append(alts, text[start:])
}

// parseAlt returns a function reporting whether v is of type text and, if
// so, what is wrong inside it (for lists and dicts).
func parseAlt(text string) (func(starlark.Value) (bool, string), error) {
	if inner, ok := strings.CutPrefix(text, "("); ok {
		if inner, ok := strings.CutSuffix(inner, ")"); ok {
			return parseUnion(inner)
		}
	}
	if elem, ok := strings.CutPrefix(text, "list of "); ok {
		check, err := parseType(elem)
		if err != nil {
			return nil, err
		}
		return func(v starlark.Value) (bool, string) {
			seq, ok := v.(starlark.Indexable)
			if _, isStr := v.(starlark.String); !ok || isStr {
				return false, ""
			}
			for i := range seq.Len() {
				if msg := check(seq.Index(i)); msg != "" {
					return true, fmt.Sprintf("at index %d: %s", i, msg)
				}
			}
			return true, ""
		}, nil
	}
	if kv, ok := strings.CutPrefix(text, "dict of "); ok {
		k, val, ok := strings.Cut(kv, " to ")
		if !ok {
			return nil, fmt.Errorf("type %q: want dict of K to V", text)
		}
		kc, err := parseType(k)
		if err != nil {
			return nil, err
		}
		vc, err := parseType(val)
		if err != nil {
			return nil, err
		}
		return func(v starlark.Value) (bool, string) {
			d, ok := v.(*starlark.Dict)
			if !ok {
				return false, ""
			}
			for _, item := range d.Items() {
				if msg := kc(item[0]); msg != "" {
					return true, fmt.Sprintf("for key %s: %s", item[0], msg)
				}
				if msg := vc(item[1]); msg != "" {
					return true, fmt.Sprintf("for key %s: %s", item[0], msg)
				}
			}
			return true, ""
		}, nil
	}
	simple := map[string]func(starlark.Value) bool{
		"string":  func(v starlark.Value) bool { _, ok := v.(starlark.String); return ok },
		"int":     func(v starlark.Value) bool { _, ok := v.(starlark.Int); return ok },
		"float":   func(v starlark.Value) bool { _, ok := v.(starlark.Float); return ok },
		"bool":    func(v starlark.Value) bool { _, ok := v.(starlark.Bool); return ok },
		"None":    func(v starlark.Value) bool { return v == starlark.None },
		"any":     func(starlark.Value) bool { return true },
		"Command": func(v starlark.Value) bool { _, ok := v.(*Command); return ok },
	}
	if f, ok := simple[text]; ok {
		return func(v starlark.Value) (bool, string) { return f(v), "" }, nil
	}
	if slices.Contains(RecordKinds, text) {
		return func(v starlark.Value) (bool, string) { return v.Type() == text, "" }, nil
	}
	switch text {
	case "Seconds":
		// An int or a duration string, checked here so that a bad one is
		// reported at the argument.
		return func(v starlark.Value) (bool, string) {
			switch v.(type) {
			case starlark.Int, starlark.String:
				_, problem := seconds(v)
				return true, problem
			}
			return false, ""
		}, nil
	case "Quantity":
		// A Quantity, or a string in Kubernetes' quantity syntax ("250m").
		return func(v starlark.Value) (bool, string) {
			if s, ok := v.(starlark.String); ok {
				if _, err := resource.ParseQuantity(string(s)); err != nil {
					return true, fmt.Sprintf("invalid quantity %s: want a number with an optional suffix such as 250m or 16Gi", s)
				}
				return true, ""
			}
			return isMessage(quantityName)(v), ""
		}, nil
	}
	return nil, fmt.Errorf("unknown type %q", text)
}

const quantityName = "k8s.io.apimachinery.pkg.api.resource.Quantity"

// isMessage returns a check for a message of the named type. Starlark
// message values report their full type name as their type.
func isMessage(name string) func(starlark.Value) bool {
	return func(v starlark.Value) bool { return v.Type() == name }
}

// TypeOf returns the name of v's type as errors show it: its Starlark type,
// or "Quantity" for a Kubernetes quantity.
func TypeOf(v starlark.Value) string {
	if v.Type() == quantityName {
		return "Quantity"
	}
	return v.Type()
}

// DescribeFunction returns fn, called name, with the signature that its
// docstring documents, for `svccfg doc` to show a function that is not
// part of the standard library, such as a prelude's: a docstring in the
// standard library's form (see [Signature]) gives every parameter's type
// and description, and any other docstring, or none, gives the summary,
// the description and the parameters' names and defaults, and the types
// and descriptions of those that an Args: line documents. The Function it
// returns checks no argument types.
func DescribeFunction(name string, fn *starlark.Function) *Function {
	if sig, err := ParseSignature(name, fn); err == nil {
		return &Function{fn: fn, sig: sig}
	}
	sig := &Signature{Name: name}
	doc := strings.TrimSpace(dedent(fn.Doc()))
	body, args, _ := strings.Cut(doc, "\nArgs:\n")
	sig.Summary, sig.Doc, _ = strings.Cut(body, "\n")
	sig.Summary, sig.Doc = strings.TrimSpace(sig.Summary), strings.TrimSpace(sig.Doc)
	documented := make(map[string][]string) // name -> type, description
	for _, line := range strings.Split(dedent("\n"+args), "\n") {
		if m := argLine.FindStringSubmatch(line); m != nil {
			documented[m[1]] = m[2:]
		}
	}
	for i := range fn.NumParams() {
		pname, _ := fn.Param(i)
		p := Param{Name: pname, check: func(starlark.Value) string { return "" }}
		if d := documented[pname]; d != nil {
			p.Type, p.Doc = d[0], d[1]
		}
		if d := fn.ParamDefault(i); d != nil {
			p.Default = d.String()
		}
		sig.Params = append(sig.Params, p)
	}
	return &Function{fn: fn, sig: sig}
}
