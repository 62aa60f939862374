package rollout

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/svccfg/svccfg/lib/build"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// fast are options that poll often and give up soon.
var fast = Options{Interval: 10 * time.Millisecond, Timeout: 300 * time.Millisecond}

// TestWaitReady checks a wait whose objects are all ready.
func TestWaitReady(t *testing.T) {
	w, _ := fakeWaiter(deployment(3), configMap())
	var out bytes.Buffer
	opts := fast
	opts.Progress = &out
	rep, err := w.Wait(context.Background(), Refs(webID, cmID), opts)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	for _, o := range rep.Objects {
		if o.Status != Current || o.Failure != nil {
			t.Errorf("%s: %s, %v; want Current", o.ID, o.Status, o.Failure)
		}
	}
	if got, want := out.String(), "rollout: 2 of 2 objects ready"; !strings.HasPrefix(got, want) {
		t.Errorf("progress = %q, want %q...", got, want)
	}
}

// TestWaitBecomesReady checks that the wait goes on until the controller
// makes the Deployment ready, and reports it in CI's lines.
func TestWaitBecomesReady(t *testing.T) {
	d := deployment(3)
	d.Generation = 3 // just changed: the status is of generation 2
	w, client := fakeWaiter(d, configMap())
	go func() {
		time.Sleep(50 * time.Millisecond)
		d := deployment(3)
		d.Generation, d.Status.ObservedGeneration = 3, 3
		u, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(d)
		gvr := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
		if _, err := client.Resource(gvr).Namespace(ns).UpdateStatus(context.Background(), &unstructured.Unstructured{Object: u}, metav1.UpdateOptions{}); err != nil {
			t.Error(err)
		}
	}()
	var out bytes.Buffer
	opts := fast
	opts.Timeout, opts.Progress = 5*time.Second, &out
	rep, err := w.Wait(context.Background(), []Ref{{ID: webID, Generation: 3}, {ID: cmID}}, opts)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if o := rep.Objects[0]; o.Status != Current || o.Ready < 50*time.Millisecond {
		t.Errorf("Deployment: %s after %s, want Current after at least 50ms", o.Status, o.Ready)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{"rollout: 1 of 2 objects ready, waiting for 1", "Deployment ns/web: ready (", "rollout: 2 of 2 objects ready ("}
	if len(lines) != len(want) {
		t.Fatalf("progress:\n%s\nwant %d lines", out.String(), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("progress line %d = %q, want %q...", i+1, lines[i], want[i])
		}
	}
}

// TestWaitTimeout checks a Deployment that stays in progress: it fails
// with a timeout that says how many pods are ready.
func TestWaitTimeout(t *testing.T) {
	w, _ := fakeWaiter(notReady(deployment(3), 1), replicaSet("abc", "2"),
		ready(pod("abc", "web-abc-1")), pod("abc", "web-abc-2"), pod("abc", "web-abc-3"), configMap())
	var out bytes.Buffer
	opts := fast
	opts.Progress = &out
	start := time.Now()
	rep, err := w.Wait(context.Background(), Refs(webID, cmID), opts)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Wait took %s with a timeout of %s", elapsed, opts.Timeout)
	}
	var rerr *Error
	if !errors.As(err, &rerr) || len(rerr.Failures) != 1 {
		t.Fatalf("Wait: %v, want an *Error of one failure", err)
	}
	f := rerr.Failures[0]
	if f.Reason != Timeout || !strings.Contains(f.Message, "1 of 3 pods ready") {
		t.Errorf("failure = %v, want a timeout with 1 of 3 pods ready", f)
	}
	if rep.Objects[1].Status != Current {
		t.Errorf("ConfigMap: %s, want Current", rep.Objects[1].Status)
	}
	if !strings.Contains(out.String(), "\n"+f.Error()+"\n") {
		t.Errorf("progress:\n%s\nwant the line %q", out.String(), f.Error())
	}
}

// TestWaitCancel checks that a cancelled context ends the wait.
func TestWaitCancel(t *testing.T) {
	w, _ := fakeWaiter(notReady(deployment(3), 0))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	opts := fast
	opts.Timeout = 0
	_, err := w.Wait(ctx, Refs(webID), opts)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait: %v, want context.DeadlineExceeded", err)
	}
}

// TestWaitObjectTimeout checks a per-object timeout with KeepGoing: the
// slow object fails at its own deadline, the other keeps being waited for.
func TestWaitObjectTimeout(t *testing.T) {
	w, _ := fakeWaiter(notReady(deployment(3), 0), job())
	slow := Ref{ID: webID, Timeout: 30 * time.Millisecond}
	jobID := build.ID{Group: "batch", Version: "v1", Kind: "Job", Namespace: ns, Name: "migrate"}
	opts := fast
	opts.KeepGoing = true
	rep, err := w.Wait(context.Background(), []Ref{slow, {ID: jobID}}, opts)
	var rerr *Error
	if !errors.As(err, &rerr) || len(rerr.Failures) != 2 {
		t.Fatalf("Wait: %v, want 2 failures", err)
	}
	// The failures say how long the wait took, which on a loaded machine
	// is a little more than the deadline.
	if f := rep.Objects[0].Failure; !strings.Contains(f.Message, "still in progress after ") || !within(f.Message, 30*time.Millisecond, 300*time.Millisecond) {
		t.Errorf("Deployment failure = %v, want one after its own timeout of 30ms", f)
	}
	if f := rep.Objects[1].Failure; f.Reason != Timeout || !within(f.Message, 300*time.Millisecond, 3*time.Second) {
		t.Errorf("Job failure = %v, want a timeout after 300ms", f)
	}
}

// within reports whether the duration in msg's "after D" is in [lo, hi).
func within(msg string, lo, hi time.Duration) bool {
	m := regexp.MustCompile(`after ([0-9.]+(?:ms|s))`).FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	d, err := time.ParseDuration(m[1])
	return err == nil && d >= lo && d < hi
}
