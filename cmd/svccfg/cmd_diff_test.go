package main

import (
	"bytes"
	"testing"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf}
	p.clear()
	if buf.Len() != 0 {
		t.Errorf("clear before any update wrote %q", buf.String())
	}
	p.update(1, 3)
	p.update(2, 3) // within 100ms of the last: not shown
	p.update(3, 3) // the last: always shown
	p.clear()
	want := "\rsvccfg: diff: compared 1 of 3 objects\rsvccfg: diff: compared 3 of 3 objects\r\x1b[K"
	if got := buf.String(); got != want {
		t.Errorf("progress wrote %q, want %q", got, want)
	}
	if isTerminal(&buf) {
		t.Error("isTerminal(a buffer) = true")
	}
}
