package diff

import "testing"

func TestColorize(t *testing.T) {
	in := "diff live/x svccfg/x\n--- live/x\n+++ svccfg/x\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n"
	want := "\x1b[1mdiff live/x svccfg/x\x1b[0m\n\x1b[1m--- live/x\x1b[0m\n\x1b[1m+++ svccfg/x\x1b[0m\n" +
		"\x1b[36m@@ -1,2 +1,2 @@\x1b[0m\n a: 1\n\x1b[31m-b: 2\x1b[0m\n\x1b[32m+b: 3\x1b[0m\n"
	if got := string(Colorize([]byte(in))); got != want {
		t.Errorf("Colorize(%q) = %q, want %q", in, got, want)
	}
	if got := string(Colorize([]byte("+no newline"))); got != "\x1b[32m+no newline\x1b[0m" {
		t.Errorf("Colorize without a final newline = %q", got)
	}
}
