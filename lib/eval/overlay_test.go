package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverlayPositions evaluates a file whose Overlay text differs from the
// file on disk: the errors are placed in the overlay's text, at the
// argument they are about, as an editor's unsaved buffer shows it.
func TestOverlayPositions(t *testing.T) {
	std, err := DefaultStdlib()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	path := filepath.Join(root, "main.star")
	if err := os.WriteFile(path, []byte("def main(ctx):\n    return []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct{ src, want string }{
		{
			"def main(ctx):\n    return service(\n        name = \"web\",\n        owner = \"web\",\n        image = \"r/web:1\",\n        replicas = \"three\",\n    )\n",
			`main.star:6:9: service: for parameter replicas: got string, want int or None`,
		},
		{
			"def main(ctx):\n    return [\n        \"web\",\n    ]\n",
			`main.star:3:9: main returned string at index 0 of a list, want a service`,
		},
		{
			"def main(ctx):\n    v = ctx.vars\n    return service(name = v[\"app\"], owner = \"web\", image = \"r/web:1\")\n",
			`main.star:3:28: ctx.vars has no variable "app"; no variables are set`,
		},
	} {
		e := New(std, root, Options{Cwd: root, Overlay: map[string][]byte{path: []byte(test.src)}})
		_, err := e.EvalFile(t.Context(), path, nil)
		if want := path[:len(path)-len("main.star")] + test.want; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("EvalFile of\n%s: got %v, want %s...", test.src, err, want)
		}
	}
}
