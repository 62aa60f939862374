package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation"
)

// ConfigFile is the name of the optional file that marks a config root and
// sets its defaults.
const ConfigFile = "svccfg.yaml"

// DefaultVars are the variables every evaluation has, unless svccfg.yaml or
// --var set them.
var DefaultVars = map[string]string{
	"cluster":     "local",
	"environment": "development",
	"namespace":   "default",
}

// Config is the contents of svccfg.yaml.
type Config struct {
	// Vars are default values of ctx.vars; --var overrides them.
	Vars map[string]string `json:"vars,omitempty"`
	// ConfigSet names the config set, the value of the [ConfigSetLabel]
	// label on every object; empty means the base name of the config root.
	ConfigSet string `json:"config_set,omitempty"`
	// Lint configures svccfg lint under the config root.
	Lint LintConfig `json:"lint,omitempty"`
	// Prelude, if set, is the slash-separated path, relative to the config
	// root, of a .star file whose exported globals are predeclared in every
	// file of the root (see [Root.Prelude]).
	Prelude Setting `json:"prelude,omitempty"`
}

// LintConfig is the lint section of svccfg.yaml:
//
//	lint:
//	  disable: [image-pinned, cron-schedule]
//
// The build checks its shape; svccfg lint checks the rule names.
type LintConfig struct {
	// Disable names the rules turned off, as written, in order.
	Disable []Setting `json:"disable,omitempty"`
}

// A Setting is a string value of svccfg.yaml and where it is written.
type Setting struct {
	Value string
	Pos   diag.Position
}

// The labels on every Kubernetes object svccfg renders: [ManagedByLabel]
// is [ManagedBy], and [ConfigSetLabel] names the config set, so that svccfg
// diff can find the objects a config set no longer produces.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "svccfg"
	ConfigSetLabel = "svccfg.dev/config-set"
)

// ConfigSetName returns config set set as a part of an object's name (a
// DNS subdomain): set itself if it is made of lowercase letters, digits,
// '-' and '.', else set in lowercase with every other character as '-' and
// 8 hex digits of its SHA-256 appended, so that distinct config sets keep
// distinct names.
func ConfigSetName(set string) string {
	name := []byte(strings.ToLower(set))
	for i, c := range name {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			name[i] = '-'
		}
	}
	if string(name) == set {
		return set
	}
	sum := sha256.Sum256([]byte(set))
	return string(name) + "-" + hex.EncodeToString(sum[:4])
}

// configFields are the fields of svccfg.yaml.
var configFields = []string{"config_set", "lint", "prelude", "vars"}

// configSet returns the name of the config set of root, whose svccfg.yaml
// holds c: c.ConfigSet, or else root's base name, which must then be a
// valid label value.
func configSet(root string, c *Config) (string, error) {
	if c.ConfigSet != "" {
		return c.ConfigSet, nil
	}
	name := filepath.Base(root)
	if problems := validation.IsValidLabelValue(name); len(problems) > 0 || name == "" || name == string(filepath.Separator) {
		msg := fmt.Sprintf("the config root's name %q is not a valid config set name", name)
		if len(problems) > 0 {
			msg += ": " + strings.Join(problems, "; ")
		}
		return "", &diag.Error{Pos: diag.Position{File: filepath.Join(root, ConfigFile)}, Msg: msg + "; set config_set in " + ConfigFile}
	}
	return name, nil
}

// FindRoot returns the config root of path, an absolute file or directory:
// the nearest directory at or above it holding svccfg.yaml, or else the
// directory itself (for a file, its directory).
func FindRoot(path string, isDir bool) string {
	start := path
	if !isDir {
		start = filepath.Dir(path)
	}
	for dir := start; ; {
		if hasConfig(dir) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return start
		}
		dir = parent
	}
}

var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseConfig parses the contents of the svccfg.yaml file at path. Its
// errors are positioned, and name YAML's kinds of values, not Go's types.
func parseConfig(path string, data []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		pos := diag.Position{File: path}
		if m := yamlLineError.FindStringSubmatch(msg); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		return nil, &diag.Error{Pos: pos, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	c := &Config{}
	if len(doc.Content) == 0 {
		return c, nil // an empty file
	}
	fail := func(n *yaml.Node, format string, args ...any) error {
		return &diag.Error{Pos: diag.Position{File: path, Line: n.Line, Col: n.Column}, Msg: fmt.Sprintf(format, args...)}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fail(top, "got %s, want a mapping with the fields config_set, lint, prelude and vars", kindName(top))
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, value := top.Content[i], top.Content[i+1]
		if !slices.Contains(configFields, key.Value) {
			msg := fmt.Sprintf("unknown field %q", key.Value)
			if near := diag.Nearest(key.Value, configFields); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			}
			return nil, fail(key, "%s", msg)
		}
		if prev, ok := seen[key.Value]; ok {
			return nil, fail(key, "%s is already set on line %d", key.Value, prev)
		}
		seen[key.Value] = key.Line
		var err error
		switch key.Value {
		case "config_set":
			c.ConfigSet, err = parseConfigSet(value, fail)
		case "lint":
			c.Lint, err = parseLint(path, value, fail)
		case "prelude":
			c.Prelude, err = parsePrelude(path, value, fail)
		default:
			c.Vars, err = parseVars(value, fail)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// failFunc returns a positioned error at a node of svccfg.yaml.
type failFunc func(n *yaml.Node, format string, args ...any) error

func parseConfigSet(value *yaml.Node, fail failFunc) (string, error) {
	if value.Kind != yaml.ScalarNode || value.Tag == "!!null" {
		return "", fail(value, "config_set: got %s, want a string", kindName(value))
	}
	if problems := validation.IsValidLabelValue(value.Value); len(problems) > 0 || value.Value == "" {
		if value.Value == "" {
			problems = []string{"must not be empty"}
		}
		return "", fail(value, "config_set: %q is not a valid label value: %s", value.Value, strings.Join(problems, "; "))
	}
	return value.Value, nil
}

func parseVars(value *yaml.Node, fail failFunc) (map[string]string, error) {
	if value.Tag == "!!null" {
		return nil, nil // "vars:" with every entry commented out
	}
	if value.Kind != yaml.MappingNode {
		return nil, fail(value, "vars: got %s, want a mapping of names to strings", kindName(value))
	}
	vars := make(map[string]string)
	line := make(map[string]int)
	for j := 0; j+1 < len(value.Content); j += 2 {
		k, v := value.Content[j], value.Content[j+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return nil, fail(v, "vars: %s: got %s, want a string", k.Value, kindName(v))
		}
		if prev, ok := line[k.Value]; ok {
			return nil, fail(k, "vars: %s is already set on line %d", k.Value, prev)
		}
		line[k.Value] = k.Line
		vars[k.Value] = v.Value
	}
	return vars, nil
}

// parsePrelude parses the prelude field: a path relative to the config
// root, slash-separated, of a .star file under it, confined as load() is.
func parsePrelude(file string, value *yaml.Node, fail failFunc) (Setting, error) {
	if value.Kind != yaml.ScalarNode || value.Tag == "!!null" {
		return Setting{}, fail(value, "prelude: got %s, want the path of a .star file under the config root", kindName(value))
	}
	p := value.Value
	switch {
	case !strings.HasSuffix(p, ".star"):
		return Setting{}, fail(value, "prelude: %q is not a .star file", p)
	case strings.HasPrefix(p, "@"):
		return Setting{}, fail(value, "prelude: %q: want a path relative to the config root, not a module name", p)
	case strings.Contains(p, "\\") || strings.HasPrefix(p, "/") || path.Clean("/" + p)[1:] != path.Clean(p):
		return Setting{}, fail(value, "prelude: %q is outside the config root: want a slash-separated path relative to it", p)
	}
	return Setting{Value: path.Clean(p), Pos: diag.Position{File: file, Line: value.Line, Col: value.Column}}, nil
}

// parseLint parses the lint section: a mapping whose one field, disable,
// is a list of rule names.
func parseLint(path string, value *yaml.Node, fail failFunc) (LintConfig, error) {
	var lc LintConfig
	if value.Tag == "!!null" {
		return lc, nil
	}
	if value.Kind != yaml.MappingNode {
		return lc, fail(value, "lint: got %s, want a mapping with the field disable", kindName(value))
	}
	seen := 0
	for j := 0; j+1 < len(value.Content); j += 2 {
		k, v := value.Content[j], value.Content[j+1]
		if k.Value != "disable" {
			return lc, fail(k, "lint: unknown field %q, want disable", k.Value)
		}
		if seen > 0 {
			return lc, fail(k, "lint: disable is already set on line %d", seen)
		}
		seen = k.Line
		if v.Tag == "!!null" {
			continue
		}
		if v.Kind != yaml.SequenceNode {
			return lc, fail(v, "lint: disable: got %s, want a list of rule names", kindName(v))
		}
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				return lc, fail(item, "lint: disable: got %s, want a rule name", kindName(item))
			}
			lc.Disable = append(lc.Disable, Setting{Value: item.Value, Pos: diag.Position{File: path, Line: item.Line, Col: item.Column}})
		}
	}
	return lc, nil
}

// kindName names the kind of a YAML value as a message shows it.
func kindName(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return "null"
	case n.Kind == yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "an alias"
}

// vars merges the default variables, the config's and the flags', in
// increasing precedence.
func vars(c *Config, flags map[string]string) map[string]string {
	out := make(map[string]string)
	for _, m := range []map[string]string{DefaultVars, c.Vars, flags} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// ParseVar parses a --var flag's value, "key=value".
func ParseVar(s string) (key, value string, err error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return "", "", fmt.Errorf("--var %q: want key=value", s)
	}
	return key, value, nil
}
