package rollout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/svccfg/svccfg/lib/build"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// A Ref names an object to wait for.
type Ref struct {
	build.ID
	// Generation is the metadata.generation that the apply returned, or 0
	// if it is unknown. The object is not ready before the cluster shows
	// at least this generation, observed by its controller.
	Generation int64
	// Timeout, if positive, is how long this object may take to become
	// ready, in place of [Options.ObjectTimeout].
	Timeout time.Duration
}

// Refs returns a Ref, of unknown generation, for each of ids.
func Refs(ids ...build.ID) []Ref {
	refs := make([]Ref, len(ids))
	for i, id := range ids {
		refs[i] = Ref{ID: id}
	}
	return refs
}

// DefaultInterval is how often [Waiter.Wait] polls the cluster unless
// [Options.Interval] says otherwise.
const DefaultInterval = time.Second

// Options control [Waiter.Wait]. The zero value waits without a time limit
// (other than the context's), polling every [DefaultInterval], without
// progress output.
type Options struct {
	// Timeout, if positive, bounds the whole wait: every object not ready
	// by then fails.
	Timeout time.Duration
	// ObjectTimeout, if positive, is how long each object may take to
	// become ready, counted from the start of the wait (the objects were
	// applied together); see also [Ref.Timeout].
	ObjectTimeout time.Duration
	// KeepGoing waits for every object to become ready or fail; otherwise
	// the wait ends at the first failure, and the objects not ready then
	// are reported as they were.
	KeepGoing bool
	// Interval is how often to poll the cluster; zero means
	// [DefaultInterval].
	Interval time.Duration
	// Progress, if not nil, receives progress: see [Options.Terminal].
	Progress io.Writer
	// Terminal says that Progress is a terminal: progress is then a single
	// line, updated in place, of the objects ready and the slowest of the
	// rest. Otherwise (CI logs) it is a line for each object when it
	// becomes ready or fails, in the order of the refs when several do at
	// once, and a summary at the end. See [IsTerminal].
	Terminal bool
}

// A Waiter waits for objects of one cluster to become ready.
type Waiter struct {
	client dynamic.Interface
	mapper meta.RESTMapper
}

// New returns a Waiter for the cluster of cfg. It discovers the cluster's
// resources when it first needs to.
func New(cfg *rest.Config) (*Waiter, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = rest.NoWarnings{}
	// No client-side rate limit: the polls are few and paced by
	// Options.Interval.
	cfg.QPS = -1
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	return NewForClient(client, mapper), nil
}

// NewForClient returns a Waiter that reads the cluster through client,
// finding the resource of each kind with mapper.
func NewForClient(client dynamic.Interface, mapper meta.RESTMapper) *Waiter {
	return &Waiter{client: client, mapper: mapper}
}

// Wait waits, with a [Waiter] for the cluster of cfg, until every object of
// refs is ready; see [Waiter.Wait].
func Wait(ctx context.Context, cfg *rest.Config, refs []Ref, opts Options) (*Report, error) {
	w, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return w.Wait(ctx, refs, opts)
}

// A Status is where an object stands, in kstatus's terms.
type Status string

// The statuses of an object.
const (
	// Current is an object that is ready: its controller has observed
	// its latest generation and made it so.
	Current Status = "Current"
	// InProgress is an object on its way to being ready.
	InProgress Status = "InProgress"
	// Failed is an object that its controller says cannot become ready
	// (a Deployment past its progress deadline, a failed Job).
	Failed Status = "Failed"
	// Terminating is an object being deleted.
	Terminating Status = "Terminating"
	// NotFound is an object that the cluster does not have.
	NotFound Status = "NotFound"
	// Unknown is an object whose status could not be read.
	Unknown Status = "Unknown"
)

// A Report says how each object of a wait ended.
type Report struct {
	// Objects holds the objects in the order of the refs given to Wait.
	Objects []Object
	// Elapsed is how long the wait took.
	Elapsed time.Duration
}

// An Object is the final state of one object of a [Report].
type Object struct {
	Ref
	// Status is the object's last status.
	Status Status
	// Message is kstatus's description of the status, such as
	// "Ready: 1/3".
	Message string
	// Ready is how long the object took to become ready, if it did.
	Ready time.Duration
	// Failure says why the object failed, or is nil if it did not.
	Failure *Failure
}

// Failures returns the failures of r, in the order of its objects.
func (r *Report) Failures() []*Failure {
	var fs []*Failure
	for _, o := range r.Objects {
		if o.Failure != nil {
			fs = append(fs, o.Failure)
		}
	}
	return fs
}

// An Error is a rollout that failed: some objects did not become ready.
// Wait returns it with the report.
type Error struct {
	// Failures lists the failed objects in the order of the refs.
	Failures []*Failure
	// Total is the number of objects waited for.
	Total int
}

// Error returns one line per failed object, "Kind namespace/name: reason:
// message", joined by newlines.
func (e *Error) Error() string {
	lines := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		lines[i] = f.Error()
	}
	return strings.Join(lines, "\n")
}

// errPoll wraps the error of a poll that failed for a reason other than
// the cluster being unreachable for a moment.
func errPoll(id build.ID, err error) error {
	return fmt.Errorf("rollout: reading %s: %w", id, err)
}

// isContextErr reports whether err comes from a context that ended.
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
