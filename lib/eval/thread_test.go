package eval

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBounded(t *testing.T) {
	std, err := DefaultStdlib()
	if err != nil {
		t.Fatal(err)
	}
	e := New(std, t.TempDir(), Options{Timeout: 50 * time.Millisecond})

	want := errors.New("from f")
	if err := e.Bounded(t.Context(), func() error { return want }); err != want {
		t.Errorf("Bounded of f returning an error = %v, want that error", err)
	}

	// An f that does not stop is left behind after the deadline.
	release := make(chan struct{})
	defer close(release)
	err = e.Bounded(t.Context(), func() error { <-release; return nil })
	if err == nil || err.Error() != "evaluation took longer than 50ms (raise the limit with --timeout), and did not stop inside a built-in function" {
		t.Errorf("Bounded of an f that does not stop = %v, want the deadline's error", err)
	}

	// The cause of a cancelled context is the reason given.
	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(errors.New("memory limit of 1Mi exceeded"))
	err = e.Bounded(ctx, func() error { <-release; return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "memory limit of 1Mi exceeded, ") {
		t.Errorf("Bounded with a cancelled context = %v, want its cause", err)
	}

	// A panic in f is raised again on the caller's goroutine.
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want the panic of f", r)
		}
	}()
	e.Bounded(t.Context(), func() error { panic("boom") })
	t.Error("Bounded returned after f panicked")
}
