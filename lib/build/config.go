package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"sigs.k8s.io/yaml"
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
}

// findRoot returns the config root of path, an absolute file or directory:
// the nearest directory at or above it holding svccfg.yaml, or else the
// directory itself (for a file, its directory).
func findRoot(path string, isDir bool) string {
	start := path
	if !isDir {
		start = filepath.Dir(path)
	}
	for dir := start; ; {
		if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return start
		}
		dir = parent
	}
}

// readConfig reads root's svccfg.yaml, if any.
func readConfig(root string) (*Config, error) {
	path := filepath.Join(root, ConfigFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	} else if err != nil {
		return nil, err
	}
	var c Config
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "error unmarshaling JSON: ")
		msg = strings.TrimPrefix(msg, "while decoding JSON: ")
		msg = strings.TrimPrefix(msg, "json: ")
		return nil, &diag.Error{Pos: diag.Position{File: path}, Msg: msg}
	}
	return &c, nil
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
