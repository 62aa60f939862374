package build

import (
	"maps"
	"testing"
)

func TestParseConfig(t *testing.T) {
	for _, test := range []struct {
		name, in string
		vars     map[string]string
		err      string
	}{
		{name: "empty", in: ""},
		{name: "comment", in: "# nothing yet\n"},
		{name: "vars", in: "vars:\n  cluster: east\n  replicas: 3\n", vars: map[string]string{"cluster": "east", "replicas": "3"}},
		{name: "null vars", in: "vars:\n"},
		{name: "unknown field", in: "vars: {}\nvar: {}\n", err: `/r/svccfg.yaml:2:1: unknown field "var" (did you mean vars?)`},
		{name: "not a mapping", in: "- vars\n", err: `/r/svccfg.yaml:1:1: got a list, want a mapping with the field vars`},
		{name: "vars list", in: "vars: [a]\n", err: `/r/svccfg.yaml:1:7: vars: got a list, want a mapping of names to strings`},
		{name: "var list", in: "vars:\n  a: [x]\n", err: `/r/svccfg.yaml:2:6: vars: a: got a list, want a string`},
		{name: "var null", in: "vars:\n  a:\n", err: `/r/svccfg.yaml:2:5: vars: a: got null, want a string`},
		{name: "var twice", in: "vars:\n  a: x\n  a: y\n", err: `/r/svccfg.yaml:3:3: vars: a is already set on line 2`},
		{name: "syntax", in: "vars: {a: 1\n", err: `/r/svccfg.yaml:1: did not find expected ',' or '}'`},
	} {
		t.Run(test.name, func(t *testing.T) {
			c, err := parseConfig("/r/svccfg.yaml", []byte(test.in))
			if test.err != "" {
				if err == nil || err.Error() != test.err {
					t.Errorf("parseConfig(%q) = %v, want error %q", test.in, err, test.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig(%q): %v", test.in, err)
			}
			if !maps.Equal(c.Vars, test.vars) {
				t.Errorf("parseConfig(%q).Vars = %v, want %v", test.in, c.Vars, test.vars)
			}
		})
	}
}
