package rollout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// Polling costs: a LIST replaces the GETs of a resource and namespace that
// holds at least listThreshold pending objects, and at most concurrency
// requests are in flight.
const (
	listThreshold = 4
	concurrency   = 8
	listPage      = 500
	// diagnoseTimeout bounds the requests that find why an object failed.
	diagnoseTimeout = 15 * time.Second
)

// tracked is what Wait knows of one object.
type tracked struct {
	ref      Ref
	resource schema.GroupVersionResource
	deadline time.Time // zero for none
	done     bool
	live     *unstructured.Unstructured // the last object read, nil if not found
	err      error                      // the last poll's transient error
}

// client returns the dynamic client of t's resource and namespace.
func (t *tracked) client(c dynamic.Interface) dynamic.ResourceInterface {
	r := c.Resource(t.resource)
	if t.ref.Namespace == "" {
		return r
	}
	return r.Namespace(t.ref.Namespace)
}

// Wait polls the cluster until every object of refs is ready, or fails, or
// ctx ends. It returns a report of every object, and an [*Error] if some
// failed. It returns another error, with the report so far, when ctx ends
// (wrapping ctx.Err()), when an object's kind is unknown to the cluster,
// and when the cluster refuses to answer (authorization) or, at a deadline,
// has not answered since the last poll that succeeded: failures of the
// cluster, not of the rollout. Requests that fail for a moment (network
// errors, 429 and 5xx responses) are tried again at the next poll.
func (w *Waiter) Wait(ctx context.Context, refs []Ref, opts Options) (*Report, error) {
	start := time.Now()
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	objs := make([]*tracked, len(refs))
	rep := &Report{Objects: make([]Object, len(refs))}
	for i, ref := range refs {
		rep.Objects[i] = Object{Ref: ref, Status: Unknown}
		m, err := w.mapper.RESTMapping(schema.GroupKind{Group: ref.Group, Kind: ref.Kind}, ref.Version)
		if err != nil {
			return rep, fmt.Errorf("rollout: %s: %w", ref.ID, err)
		}
		t := &tracked{ref: ref, resource: m.Resource}
		if m.Scope.Name() != meta.RESTScopeNameNamespace {
			t.ref.Namespace = ""
		}
		limit := opts.ObjectTimeout
		if ref.Timeout > 0 {
			limit = ref.Timeout
		}
		if opts.Timeout > 0 && (limit <= 0 || opts.Timeout < limit) {
			limit = opts.Timeout
		}
		if limit > 0 {
			t.deadline = start.Add(limit)
		}
		objs[i] = t
	}
	p := newProgress(opts, refs)
	defer p.close()
	for first := true; ; first = false {
		if err := w.poll(ctx, objs); err != nil {
			return w.end(rep, start, err)
		}
		now := time.Now()
		var events []int // objects that became ready or failed, in order
		for i, t := range objs {
			if t.done {
				continue
			}
			o := &rep.Objects[i]
			o.Status, o.Message = NotFound, "not found"
			if t.live != nil {
				o.Status, o.Message = compute(t.live, t.ref.Generation)
			}
			switch {
			case o.Status == Current:
				t.done, o.Ready = true, now.Sub(start)
			case o.Status == Failed || !t.deadline.IsZero() && !now.Before(t.deadline):
				if t.err != nil {
					return w.end(rep, start, fmt.Errorf("rollout: %s: no answer from the cluster by the deadline: %w", t.ref.ID, t.err))
				}
				t.done = true
				o.Failure = w.diagnose(ctx, t, o, now.Sub(start))
			default:
				continue
			}
			events = append(events, i)
		}
		if first {
			p.start(rep)
		} else {
			p.events(rep, events)
		}
		pending, failed := 0, false
		for i, t := range objs {
			if !t.done {
				pending++
			}
			failed = failed || rep.Objects[i].Failure != nil
		}
		if pending == 0 || failed && !opts.KeepGoing {
			break
		}
		p.update(rep, objs, now.Sub(start))
		if err := sleep(ctx, next(objs, now, opts.Interval)); err != nil {
			return w.end(rep, start, fmt.Errorf("rollout: %w", err))
		}
	}
	rep.Elapsed = time.Since(start)
	p.summary(rep)
	if fs := rep.Failures(); len(fs) > 0 {
		return rep, &Error{Failures: fs, Total: len(refs)}
	}
	return rep, nil
}

// end returns rep and err for a wait that ended with an error.
func (w *Waiter) end(rep *Report, start time.Time, err error) (*Report, error) {
	rep.Elapsed = time.Since(start)
	return rep, err
}

// next returns how long to sleep after a poll at now: the interval, or
// less to reach a deadline.
func next(objs []*tracked, now time.Time, interval time.Duration) time.Duration {
	d := interval
	for _, t := range objs {
		if !t.done && !t.deadline.IsZero() {
			d = min(d, max(t.deadline.Sub(now), 0))
		}
	}
	return d
}

// sleep waits for d or until ctx ends, and returns ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// A pollGroup is the pending objects of one resource and namespace.
type pollGroup struct {
	pollKey
	objs []*tracked
}

// A pollKey is a resource and namespace.
type pollKey struct {
	resource  schema.GroupVersionResource
	namespace string
}

// poll reads every pending object of objs, setting its live object, or its
// err if the read failed for a moment. It returns the first other error.
func (w *Waiter) poll(ctx context.Context, objs []*tracked) error {
	var groups []*pollGroup
	index := map[pollKey]*pollGroup{}
	for _, t := range objs {
		if t.done {
			continue
		}
		key := pollKey{resource: t.resource, namespace: t.ref.Namespace}
		g := index[key]
		if g == nil {
			g = &pollGroup{pollKey: key}
			index[key] = g
			groups = append(groups, g)
		}
		g.objs = append(g.objs, t)
	}
	var jobs []func() error
	for _, g := range groups {
		if len(g.objs) >= listThreshold {
			jobs = append(jobs, func() error { return w.list(ctx, g) })
			continue
		}
		for _, t := range g.objs {
			jobs = append(jobs, func() error { return w.get(ctx, t) })
		}
	}
	return run(jobs)
}

// run runs jobs, at most [concurrency] at a time, and returns the first
// error in their order.
func run(jobs []func() error) error {
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, job := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = job()
		})
	}
	wg.Wait()
	return firstNonNil(errs)
}

// firstNonNil returns the first error of errs that is not nil, or nil.
func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// get reads t.
func (w *Waiter) get(ctx context.Context, t *tracked) error {
	u, err := t.client(w.client).Get(ctx, t.ref.Name, metav1.GetOptions{})
	switch {
	case err == nil:
		t.live, t.err = u, nil
	case apierrors.IsNotFound(err):
		t.live, t.err = nil, nil
	case transient(err) && ctx.Err() == nil:
		t.err = err
	default:
		return errPoll(t.ref.ID, err)
	}
	return nil
}

// list reads the objects of g with one LIST (in pages).
func (w *Waiter) list(ctx context.Context, g *pollGroup) error {
	found := make(map[string]*unstructured.Unstructured, len(g.objs))
	opts := metav1.ListOptions{Limit: listPage}
	r := g.objs[0].client(w.client)
	for {
		l, err := r.List(ctx, opts)
		if err != nil {
			if transient(err) && ctx.Err() == nil {
				for _, t := range g.objs {
					t.err = err
				}
				return nil
			}
			return errPoll(g.objs[0].ref.ID, err)
		}
		for i := range l.Items {
			found[l.Items[i].GetName()] = &l.Items[i]
		}
		if opts.Continue = l.GetContinue(); opts.Continue == "" {
			break
		}
	}
	for _, t := range g.objs {
		t.live, t.err = found[t.ref.Name], nil
	}
	return nil
}

// transient reports whether a request that failed with err may succeed if
// sent again: network errors, 429 and 5xx responses.
func transient(err error) bool {
	if isContextErr(err) {
		return false
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		code := status.Status().Code
		return code == 429 || code >= 500
	}
	var (
		nerr net.Error
		op   *net.OpError
	)
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.As(err, &op) || errors.As(err, &nerr)
}
