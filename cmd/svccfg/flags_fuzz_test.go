package main

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
)

// FuzzVars parses arbitrary strings as the value of --var, on the command
// line as svccfg build and diff parse it, both as "--var VALUE" and as
// "--var=VALUE". A value with an "=" after a non-empty key sets exactly
// that variable, and key=value gives back the value; any other value is a
// usage error naming it. Never a panic.
func FuzzVars(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		key, value, ok := strings.Cut(s, "=")
		valid := ok && key != ""
		for _, args := range [][]string{{"--var", s}, {"--var=" + s}} {
			cmd := newBuildCmd(&command{})
			if err := cmd.ParseFlags(args); err != nil {
				t.Fatalf("parsing %q: %v", args, err)
			}
			opts, err := buildOptions(cmd, "/")
			if !valid {
				var usage usageError
				if want := fmt.Sprintf("--var %q: want key=value", s); !errors.As(err, &usage) || err.Error() != want {
					t.Errorf("%q: error = %v, want a usage error %q", args, err, want)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%q: %v", args, err)
			}
			if want := map[string]string{key: value}; !maps.Equal(opts.Vars, want) {
				t.Errorf("%q: vars = %q, want %q", args, opts.Vars, want)
			}
			if key+"="+opts.Vars[key] != s {
				t.Errorf("%q: %q=%q does not give back %q", args, key, opts.Vars[key], s)
			}
		}
	})
}
