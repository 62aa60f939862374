package format_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/format"
)

func TestSource(t *testing.T) {
	for _, test := range []struct {
		name, src, want string
	}{
		{
			name: "layout",
			src:  "def main(ctx):\n  return service(name='web',\n     owner = \"o\",image=\"i:1\")\n",
			want: "def main(ctx):\n    return service(\n        name = \"web\",\n        owner = \"o\",\n        image = \"i:1\",\n    )\n",
		},
		{
			// BUILD files would get their rule arguments reordered by name
			// and lists such as deps and srcs sorted and deduplicated.
			name: "arguments and lists keep their order",
			src:  "x = service(owner = \"o\", name = \"n\", deps = [\"b\", \"a\", \"a\"], srcs = [\"z\", \"y\"])\n",
			want: "x = service(owner = \"o\", name = \"n\", deps = [\"b\", \"a\", \"a\"], srcs = [\"z\", \"y\"])\n",
		},
		{
			name: "parentheses stay",
			src:  "x = (\"a\")\n",
			want: "x = (\"a\")\n",
		},
		{
			name: "loads move to the top, sorted and merged",
			src:  "X = 1\nload(\"b.star\", \"y\")\nload(\"@stdlib//einhorn.star\", \"einhorn\")\nload(\"b.star\", \"x\")\n",
			want: "load(\"@stdlib//einhorn.star\", \"einhorn\")\nload(\"b.star\", \"x\", \"y\")\n\nX = 1\n",
		},
		{
			name: "comments stay",
			src:  "# header\n\nx = [\n    1,  # one\n    2,\n]\n",
			want: "# header\n\nx = [\n    1,  # one\n    2,\n]\n",
		},
		{
			name: "blank lines between definitions",
			src:  "def a():\n    pass\ndef b():\n    pass\n\n\n\nx = 1\n",
			want: "def a():\n    pass\n\ndef b():\n    pass\n\nx = 1\n",
		},
		{
			name: "numbers",
			src:  "x = .5 + 1.5E+05 + 00.5 + 007e3 + 0x1E + 0o17\n",
			want: "x = 0.5 + 1.5e5 + 0.5 + 7e3 + 0x1E + 0o17\n",
		},
		{
			name: "keep sorted asks for sorting",
			src:  "# keep sorted\nx = [\"b\", \"a\"]\n",
			want: "# keep sorted\nx = [\"a\", \"b\"]\n",
		},
		{
			name: "line endings",
			src:  "x = 1\r\ny = 2\r\n",
			want: "x = 1\ny = 2\n",
		},
		{
			// buildtools writes the bytes above 0x7f of a string it re-quotes
			// as octal escapes, which go.starlark.net rejects.
			name: "single quotes around non-ASCII",
			src:  "x = 'café'\ny = 'a\\\\303'\nz = '\x80'\n",
			want: "x = \"café\"\ny = \"a\\\\303\"\nz = \"\x80\"\n",
		},
		{
			name: "empty",
			src:  "",
			want: "",
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			got, err := format.Source("/cfg/main.star", []byte(test.src))
			if err != nil {
				t.Fatalf("Source(%q): %v", test.src, err)
			}
			if string(got) != test.want {
				t.Errorf("Source(%q) =\n%s\nwant\n%s", test.src, got, test.want)
			}
			again, err := format.Source("/cfg/main.star", got)
			if err != nil || string(again) != string(got) {
				t.Errorf("formatting again = %q, %v; want it unchanged", again, err)
			}
		})
	}
}

func TestSourceError(t *testing.T) {
	for _, test := range []struct {
		name, src string
		want      string // the error, positioned
	}{
		{
			name: "go.starlark.net's words, as svccfg build reports them",
			src:  "def main(ctx):\n    return service(\n        name = \"web\"\n        owner = \"web-team\",\n    )\n",
			want: "/cfg/main.star:4:14: got identifier, want ','",
		},
		{
			name: "unterminated string",
			src:  "x = \"abc\n",
			want: "/cfg/main.star:1:5: unexpected newline in string",
		},
		{
			name: "byte order mark",
			src:  "\ufeffx = 1\n",
			want: "/cfg/main.star:1:1: unexpected input character '\\ufeff'",
		},
		{
			// go.starlark.net parses while loops (the resolver rejects
			// them); buildtools does not.
			name: "what only buildtools rejects",
			src:  "def f():\n    while True:\n        pass\n",
			want: "/cfg/main.star:2:15: syntax error near True",
		},
		{
			name: "a load of a name that is not ASCII",
			src:  "load(\"lib.star\", \"café\")\n",
			want: "/cfg/main.star:1:19: svccfg fmt cannot format a load of \"café\", a name that is not ASCII",
		},
		{
			name: "indentation with tabs",
			src:  "def f():\n\treturn 1\n",
			want: "/cfg/main.star:2:8: syntax error near return (fmt needs the indentation in spaces, not tabs)",
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := format.Source("/cfg/main.star", []byte(test.src))
			var d *diag.Error
			if !errors.As(err, &d) || err.Error() != test.want {
				t.Errorf("Source(%q) error = %v, want a *diag.Error %q", test.src, err, test.want)
			}
		})
	}
}

// TestSourceStdlibStyle checks a docstring and a long call as the standard
// library writes them.
func TestSourceStdlibStyle(t *testing.T) {
	src := strings.Join([]string{
		`def cores(n):`,
		`    """Returns a CPU quantity of n cores.`,
		``,
		`    Args:`,
		`      n (int or float): the number of cores.`,
		`    """`,
		`    return _quantity(str(n))`,
		``,
	}, "\n")
	got, err := format.Source("kube.star", []byte(src))
	if err != nil || string(got) != src {
		t.Errorf("Source(%q) = %q, %v; want it unchanged", src, got, err)
	}
}
