package xds

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
)

// A BuildFunc compiles the configuration; Serve calls it at start and on
// every [Server.Rebuild].
type BuildFunc func(ctx context.Context) (*Mesh, error)

// Options configure a [Server].
type Options struct {
	Build     BuildFunc
	Endpoints EndpointSource
	Log       io.Writer // rebuilds, refused configurations, NACKs
}

// A Server is an ADS control plane serving the snapshots of a [Mesh].
type Server struct {
	opts    Options
	log     *log.Logger
	cache   cache.SnapshotCache
	mu      sync.Mutex
	mesh    *Mesh
	version int
	// accepted is the last version each group ACKed; current the one set.
	accepted, current map[string]string
	snaps             map[string]map[string]*cache.Snapshot // by group, then version
	ready             atomic.Bool
	counters          map[string]*atomic.Int64
	rebuild           chan struct{}
}

// NewServer returns a Server; [Server.Serve] starts it.
func NewServer(opts Options) *Server {
	s := &Server{opts: opts, log: log.New(opts.Log, "xds: ", 0),
		accepted: map[string]string{}, current: map[string]string{}, snaps: map[string]map[string]*cache.Snapshot{},
		counters: map[string]*atomic.Int64{}, rebuild: make(chan struct{}, 1)}
	for _, n := range []string{"rebuilds_total", "rebuild_errors_total", "snapshots_set_total", "requests_total", "responses_total", "acks_total", "nacks_total", "streams_open"} {
		s.counters[n] = new(atomic.Int64)
	}
	// Not the cache's "ADS mode": it answers a named request only when the
	// request names every resource of its type in the snapshot, and a
	// proxyless gRPC client names only the Listener it dials, beside the
	// sidecar's own. Over one ADS stream, the cache still answers each
	// type from the same snapshot.
	s.cache = cache.NewSnapshotCache(false, nodeHash{}, cacheLog{s.log})
	return s
}

type nodeHash struct{}

// ID returns the node's group.
func (nodeHash) ID(n *corev3.Node) string { return Group(n.GetCluster(), n.GetId()) }

// Rebuild asks the server to rebuild its snapshots (after a file change or SIGHUP).
func (s *Server) Rebuild() {
	select {
	case s.rebuild <- struct{}{}:
	default:
	}
}

// Ready reports whether a valid configuration is being served.
func (s *Server) Ready() bool { return s.ready.Load() }

// Serve serves ADS on lis until ctx is done, then stops gracefully.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	s.update(ctx, true)
	go s.opts.Endpoints.Run(ctx, func() { s.Rebuild() })
	g := grpc.NewServer()
	discovery.RegisterAggregatedDiscoveryServiceServer(g, server.NewServer(ctx, s.cache, s.callbacks()))
	go func() {
		for {
			select {
			case <-ctx.Done():
				g.GracefulStop()
				return
			case <-s.rebuild:
				s.update(ctx, true)
			}
		}
	}()
	return g.Serve(lis)
}

// update rebuilds the mesh, if rebuild, and sets every group's snapshot.
// An invalid configuration or snapshot is logged and nothing changes.
func (s *Server) update(ctx context.Context, rebuild bool) {
	s.counters["rebuilds_total"].Add(1)
	m, err := s.opts.Build(ctx)
	if err != nil {
		s.counters["rebuild_errors_total"].Add(1)
		s.log.Printf("configuration refused, still serving version %d:\n%v", s.version, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	version := strconv.Itoa(s.version + 1)
	snaps := map[string]*cache.Snapshot{}
	for _, g := range m.Groups() {
		snap, err := m.Snapshot(g, version, s.opts.Endpoints)
		if err != nil {
			s.counters["rebuild_errors_total"].Add(1)
			s.log.Printf("snapshot of %s refused, still serving version %d: %v", g, s.version, err)
			return
		}
		snaps[g] = snap
	}
	s.mesh, s.version = m, s.version+1
	for _, g := range slices.Sorted(func(yield func(string) bool) {
		for k := range snaps {
			if !yield(k) {
				return
			}
		}
	}) {
		svc := m.lookup(g)
		for _, key := range []string{g, svc.name} {
			if s.snaps[key] == nil {
				s.snaps[key] = map[string]*cache.Snapshot{}
			}
			s.snaps[key][version] = snaps[g]
			s.set(ctx, key, version)
		}
	}
	s.log.Printf("serving version %s (%d services)", version, len(snaps))
	s.ready.Store(true)
}

// set serves version to group; s.mu is held.
func (s *Server) set(ctx context.Context, group, version string) {
	snap := s.snaps[group][version]
	if snap == nil {
		return
	}
	if err := s.cache.SetSnapshot(ctx, group, snap); err != nil {
		s.log.Printf("%s: %v", group, err)
		return
	}
	s.current[group] = version
	s.counters["snapshots_set_total"].Add(1)
	// Keep only the versions that may still be needed.
	for v := range s.snaps[group] {
		if v != version && v != s.accepted[group] {
			delete(s.snaps[group], v)
		}
	}
}

// callbacks records ACKs and turns a NACK into a revert of that node's
// group to its last accepted version.
func (s *Server) callbacks() server.Callbacks {
	return server.CallbackFuncs{
		StreamOpenFunc: func(context.Context, int64, string) error {
			s.counters["streams_open"].Add(1)
			return nil
		},
		StreamClosedFunc: func(int64, *corev3.Node) { s.counters["streams_open"].Add(-1) },
		StreamRequestFunc: func(_ int64, req *discovery.DiscoveryRequest) error {
			s.counters["requests_total"].Add(1)
			s.onRequest(req)
			return nil
		},
		StreamResponseFunc: func(_ context.Context, _ int64, req *discovery.DiscoveryRequest, resp *discovery.DiscoveryResponse) {
			s.counters["responses_total"].Add(1)
		},
	}
}

func (s *Server) onRequest(req *discovery.DiscoveryRequest) {
	group := nodeHash{}.ID(req.GetNode())
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.current[group]; !ok {
		if s.mesh != nil && s.mesh.lookup(group) == nil {
			s.log.Printf("node %q: no service %q in the configuration, serving nothing", req.GetNode().GetId(), group)
			s.current[group] = ""
		}
		return
	}
	if req.GetResponseNonce() == "" {
		return // a first request
	}
	if req.GetErrorDetail() == nil {
		if req.GetVersionInfo() == s.current[group] {
			s.counters["acks_total"].Add(1)
			s.accepted[group] = req.GetVersionInfo()
		}
		return
	}
	s.counters["nacks_total"].Add(1)
	bad, back := s.current[group], s.accepted[group]
	s.log.Printf("node %q NACKed %s version %s: %s; reverting to version %q", req.GetNode().GetId(), req.GetTypeUrl(), bad, req.GetErrorDetail().GetMessage(), back)
	if back != "" && back != bad {
		s.set(context.Background(), group, back)
	}
}

// AdminHandler serves /healthz, /readyz and /metrics (plain text counters).
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.Ready() {
			http.Error(w, "no valid configuration yet", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		v := s.version
		s.mu.Unlock()
		fmt.Fprintf(w, "svccfg_xds_version %d\n", v)
		for _, n := range slices.Sorted(func(yield func(string) bool) {
			for k := range s.counters {
				if !yield(k) {
					return
				}
			}
		}) {
			fmt.Fprintf(w, "svccfg_xds_%s %d\n", n, s.counters[n].Load())
		}
	})
	return mux
}

// cacheLog writes the snapshot cache's warnings and errors to the server's log.
type cacheLog struct{ l *log.Logger }

func (c cacheLog) Debugf(f string, a ...any) {
	if debug {
		c.l.Printf(f, a...)
	}
}
func (c cacheLog) Infof(f string, a ...any)  { c.Debugf(f, a...) }
func (c cacheLog) Warnf(f string, a ...any)  { c.l.Printf(f, a...) }
func (c cacheLog) Errorf(f string, a ...any) { c.l.Printf(f, a...) }

var debug = os.Getenv("SVCCFG_XDS_DEBUG") != ""
