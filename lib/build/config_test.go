package build

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/diag"
)

func pos(line, col int) diag.Position {
	return diag.Position{File: "/r/svccfg.yaml", Line: line, Col: col}
}

func TestParseConfig(t *testing.T) {
	for _, test := range []struct {
		name, in string
		vars     map[string]string
		set      string
		disable  []Setting
		prelude  Setting
		err      string
	}{
		{name: "empty", in: ""},
		{name: "comment", in: "# nothing yet\n"},
		{name: "vars", in: "vars:\n  cluster: east\n  replicas: 3\n", vars: map[string]string{"cluster": "east", "replicas": "3"}},
		{name: "null vars", in: "vars:\n"},
		{name: "unknown field", in: "vars: {}\nvar: {}\n", err: `/r/svccfg.yaml:2:1: unknown field "var" (did you mean vars?)`},
		{name: "not a mapping", in: "- vars\n", err: `/r/svccfg.yaml:1:1: got a list, want a mapping with the fields config_set, lint, prelude and vars`},
		{name: "config set", in: "config_set: shop\nvars:\n  a: x\n", set: "shop", vars: map[string]string{"a": "x"}},
		{name: "config set number", in: "config_set: 2024\n", set: "2024"},
		{name: "config set typo", in: "configset: shop\n", err: `/r/svccfg.yaml:1:1: unknown field "configset" (did you mean config_set?)`},
		{name: "config set invalid", in: "vars: {}\nconfig_set: my shop\n", err: `/r/svccfg.yaml:2:13: config_set: "my shop" is not a valid label value: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`},
		{name: "config set empty", in: "config_set: ''\n", err: `/r/svccfg.yaml:1:13: config_set: "" is not a valid label value: must not be empty`},
		{name: "config set null", in: "config_set:\n", err: `/r/svccfg.yaml:1:12: config_set: got null, want a string`},
		{name: "config set list", in: "config_set: [a]\n", err: `/r/svccfg.yaml:1:13: config_set: got a list, want a string`},
		{name: "config set twice", in: "config_set: a\nconfig_set: b\n", err: `/r/svccfg.yaml:2:1: config_set is already set on line 1`},
		{name: "vars list", in: "vars: [a]\n", err: `/r/svccfg.yaml:1:7: vars: got a list, want a mapping of names to strings`},
		{name: "var list", in: "vars:\n  a: [x]\n", err: `/r/svccfg.yaml:2:6: vars: a: got a list, want a string`},
		{name: "var null", in: "vars:\n  a:\n", err: `/r/svccfg.yaml:2:5: vars: a: got null, want a string`},
		{name: "var twice", in: "vars:\n  a: x\n  a: y\n", err: `/r/svccfg.yaml:3:3: vars: a is already set on line 2`},
		{name: "lint", in: "lint:\n  disable: [image-pinned, owner-set]\n", disable: []Setting{{"image-pinned", pos(2, 13)}, {"owner-set", pos(2, 27)}}},
		{name: "lint block", in: "lint:\n  disable:\n    - dns-label\n", disable: []Setting{{"dns-label", pos(3, 7)}}},
		{name: "lint null", in: "lint:\n"},
		{name: "lint empty", in: "lint:\n  disable: []\n"},
		{name: "lint list", in: "lint: [a]\n", err: `/r/svccfg.yaml:1:7: lint: got a list, want a mapping with the field disable`},
		{name: "lint unknown", in: "lint:\n  disabled: [a]\n", err: `/r/svccfg.yaml:2:3: lint: unknown field "disabled", want disable`},
		{name: "lint twice", in: "lint:\n  disable: [a]\n  disable: [b]\n", err: `/r/svccfg.yaml:3:3: lint: disable is already set on line 2`},
		{name: "lint string", in: "lint:\n  disable: owner-set\n", err: `/r/svccfg.yaml:2:12: lint: disable: got "owner-set", want a list of rule names`},
		{name: "lint nested", in: "lint:\n  disable: [[a]]\n", err: `/r/svccfg.yaml:2:13: lint: disable: got a list, want a rule name`},
		{name: "syntax", in: "vars: {a: 1\n", err: `/r/svccfg.yaml:1: did not find expected ',' or '}'`},
		{name: "dotted vars", in: "vars:\n  stripe.cluster: nw\n", vars: map[string]string{"stripe.cluster": "nw"}},
		{name: "prelude", in: "prelude: lib/company.star\n", prelude: Setting{"lib/company.star", pos(1, 10)}},
		{name: "prelude cleaned", in: "prelude: ./lib/../company.star\n", prelude: Setting{"company.star", pos(1, 10)}},
		{name: "prelude null", in: "prelude:\n", err: `/r/svccfg.yaml:1:9: prelude: got null, want the path of a .star file under the config root`},
		{name: "prelude list", in: "prelude: [a.star]\n", err: `/r/svccfg.yaml:1:10: prelude: got a list, want the path of a .star file under the config root`},
		{name: "prelude not star", in: "prelude: company.py\n", err: `/r/svccfg.yaml:1:10: prelude: "company.py" is not a .star file`},
		{name: "prelude parent", in: "prelude: ../company.star\n", err: `/r/svccfg.yaml:1:10: prelude: "../company.star" is outside the config root: want a slash-separated path relative to it`},
		{name: "prelude absolute", in: "prelude: /etc/company.star\n", err: `/r/svccfg.yaml:1:10: prelude: "/etc/company.star" is outside the config root: want a slash-separated path relative to it`},
		{name: "prelude stdlib", in: "prelude: \"@stdlib//service.star\"\n", err: `/r/svccfg.yaml:1:10: prelude: "@stdlib//service.star": want a path relative to the config root, not a module name`},
		{name: "prelude twice", in: "prelude: a.star\nprelude: b.star\n", err: `/r/svccfg.yaml:2:1: prelude is already set on line 1`},
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
			if c.ConfigSet != test.set {
				t.Errorf("parseConfig(%q).ConfigSet = %q, want %q", test.in, c.ConfigSet, test.set)
			}
			if !maps.Equal(c.Vars, test.vars) {
				t.Errorf("parseConfig(%q).Vars = %v, want %v", test.in, c.Vars, test.vars)
			}
			if c.Prelude != test.prelude {
				t.Errorf("parseConfig(%q).Prelude = %v, want %v", test.in, c.Prelude, test.prelude)
			}
			if !slices.Equal(c.Lint.Disable, test.disable) {
				t.Errorf("parseConfig(%q).Lint.Disable = %v, want %v", test.in, c.Lint.Disable, test.disable)
			}
		})
	}
}

func TestConfigSet(t *testing.T) {
	long := strings.Repeat("x", 64)
	for _, test := range []struct {
		root string
		c    Config
		want string
		err  string
	}{
		{root: "/srv/home-srv", want: "home-srv"},
		{root: "/srv/home-srv", c: Config{ConfigSet: "home"}, want: "home"},
		{root: "/srv/my shop", c: Config{ConfigSet: "shop"}, want: "shop"},
		{root: "/srv/my shop", err: `/srv/my shop/svccfg.yaml: the config root's name "my shop" is not a valid config set name: a valid label must be`},
		{root: "/srv/" + long, err: `/srv/` + long + `/svccfg.yaml: the config root's name "` + long + `" is not a valid config set name: must be no more than 63 bytes; set config_set in svccfg.yaml`},
	} {
		got, err := configSet(test.root, &test.c)
		if test.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), test.err) {
				t.Errorf("configSet(%q, %+v) = %q, %v, want error %q", test.root, test.c, got, err, test.err)
			}
			continue
		}
		if err != nil || got != test.want {
			t.Errorf("configSet(%q, %+v) = %q, %v, want %q", test.root, test.c, got, err, test.want)
		}
	}
}
