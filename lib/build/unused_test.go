package build

import (
	"testing"
)

func TestUnused(t *testing.T) {
	for _, test := range []struct {
		file, src string
		want      string // "" for no warning
	}{
		{"/r/a.star", "X = 1\n", "/r/a.star:1:1: warning: skipped: this file defines no main function, and no .star file loads it"},
		{"/r/a.star", "X = 1\n\ndef mian(ctx):\n    return []\n", "/r/a.star:3:5: warning: skipped: this file defines no main function, and no .star file loads it (did you mean def main(ctx) instead of def mian?)"},
		{"/r/a.star", "def Main(ctx):\n    return []\n", "/r/a.star:1:5: warning: skipped: this file defines no main function, and no .star file loads it (did you mean def main(ctx) instead of def Main?)"},
		{"/r/a.star", "def helper(x):\n    return x\n", "/r/a.star:1:1: warning: skipped: this file defines no main function, and no .star file loads it"},
		{"/r/a_test.star", "X = 1\n", ""},
		{"/r/a.star", "def test_it(t):\n    pass\n", ""},
		{"/r/a.star", "def (\n", ""},
	} {
		var got string
		if w := Unused(test.file, []byte(test.src)); w != nil {
			got = w.Error()
		}
		if got != test.want {
			t.Errorf("Unused(%s, %q) = %q, want %q", test.file, test.src, got, test.want)
		}
	}
}
