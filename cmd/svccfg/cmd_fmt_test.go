package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFmtWriteUnchanged checks that -w does not touch a file that is
// already formatted, and keeps the permissions of one it rewrites.
func TestFmtWriteUnchanged(t *testing.T) {
	dir := t.TempDir()
	tidy, messy := filepath.Join(dir, "tidy.star"), filepath.Join(dir, "messy.star")
	if err := os.WriteFile(tidy, []byte("X = 1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(messy, []byte("X=1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, f := range []string{tidy, messy} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
		src, _ := os.ReadFile(f)
		if changed, err := fmtFile(io.Discard, fmtWrite, f, f, src); err != nil || changed {
			t.Fatalf("fmtFile(%s, -w) = %v, %v; want false, nil", f, changed, err)
		}
	}
	if info, err := os.Stat(tidy); err != nil || !info.ModTime().Equal(old) {
		t.Errorf("-w touched a formatted file: %v, %v", info.ModTime(), err)
	}
	info, err := os.Stat(messy)
	if err != nil || info.ModTime().Equal(old) || info.Mode().Perm() != 0o640 {
		t.Errorf("after -w, the file that was not formatted has mode %v and time %v (%v); want -rw-r----- and a new time", info.Mode(), info.ModTime(), err)
	}
	if data, _ := os.ReadFile(messy); string(data) != "X = 1\n" {
		t.Errorf("after -w, the file holds %q, want %q", data, "X = 1\n")
	}
}
