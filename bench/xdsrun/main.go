// Command xdsrun is the control-plane part of `make bench`: it serves a
// mesh of N services with lib/xds (as svccfg xds serve does, on 127.0.0.1)
// to C clients, raw ADS streams that ACK every response as Envoy does, and
// measures how long a configuration change takes to reach every client,
// and the server's memory. It writes a Markdown table to
// bench/results/<commit>-xds.md.
//
// Service i calls three others; client j runs as one of the services that
// call svc-00000. The change gives svc-00000 a new timeout, which changes
// its Cluster and routes in the snapshot of every client. It is timed from
// the moment the file is written and the server asked to rebuild (what the
// file watcher or SIGHUP does) to the moment the last client has received
// the new version of its Clusters and Listeners: with a cold build of the
// whole tree each time, and with svccfg's build cache (--cache), which
// re-evaluates only the changed file.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/svccfg/svccfg/bench/internal/benchfmt"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/xds"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func main() {
	n := flag.Int("n", 10000, "number of services; 0 skips the xDS benchmark")
	clients := flag.Int("clients", 100, "number of ADS clients")
	runs := flag.Int("runs", 3, "changes per variant; the median is reported")
	results := flag.String("results", "bench/results", "`dir` to write the table to (empty: only print it)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to `file`")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *n <= 0 {
		fmt.Fprintln(os.Stderr, "bench: xDS benchmark skipped (-n 0)")
		return
	}
	if err := run(*n, *clients, *runs, *results); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// The xDS types each client subscribes to.
var types = []string{
	"type.googleapis.com/envoy.config.cluster.v3.Cluster",
	"type.googleapis.com/envoy.config.listener.v3.Listener",
}

func name(i int) string { return fmt.Sprintf("svc-%05d", i) }

// callees returns the services that service i calls: svc-00000 for the
// clients' services, and two more.
func callees(i, n int) []int {
	return []int{0, (i + 1) % n, (i + 7) % n}
}

// writeTree writes the mesh of n services under dir, svc-00000 with
// timeout.
func writeTree(dir string, n int, timeout string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "svccfg.yaml"), []byte("vars:\n  namespace: mesh\n"), 0o644); err != nil {
		return err
	}
	for i := range n {
		if err := writeService(dir, i, n, timeout); err != nil {
			return err
		}
	}
	return nil
}

func writeService(dir string, i, n int, timeout string) error {
	var calls []string
	for _, c := range callees(i, n) {
		if c != i {
			calls = append(calls, fmt.Sprintf("%q", name(c)))
		}
	}
	extra := ""
	if i == 0 {
		extra = fmt.Sprintf("\n        timeout = %q,", timeout)
	}
	text := fmt.Sprintf(`def main(ctx):
    return service(
        name = %q,
        owner = "team-%d",
        image = "registry.example.com/%s:1",
        ports = [port.grpc(8080)],
        calls = [%s],%s
    )
`, name(i), i%20, name(i), strings.Join(calls, ", "), extra)
	p := filepath.Join(dir, fmt.Sprintf("team-%02d", i%20), name(i)+".star")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(text), 0o644)
}

// A client is one ADS stream, as node group NAME.mesh, subscribed to types.
type client struct {
	mu      sync.Mutex
	version map[string]string // by type
	changed chan struct{}     // signalled on every response
}

func (c *client) has(version string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range types {
		if c.version[t] != version {
			return false
		}
	}
	return true
}

func startClient(ctx context.Context, addr, group string) (*client, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, func() { conn.Close() })
	stream, err := discoverygrpc.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		return nil, err
	}
	c := &client{version: map[string]string{}, changed: make(chan struct{}, 1)}
	node := &corev3.Node{Id: group + "~bench", Cluster: group}
	var sendMu sync.Mutex
	send := func(req *discoverygrpc.DiscoveryRequest) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return stream.Send(req)
	}
	for _, t := range types {
		if err := send(&discoverygrpc.DiscoveryRequest{Node: node, TypeUrl: t}); err != nil {
			return nil, err
		}
	}
	go func() {
		for {
			resp, err := stream.Recv()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.version[resp.TypeUrl] = resp.VersionInfo
			c.mu.Unlock()
			send(&discoverygrpc.DiscoveryRequest{Node: node, TypeUrl: resp.TypeUrl, VersionInfo: resp.VersionInfo, ResponseNonce: resp.Nonce})
			select {
			case c.changed <- struct{}{}:
			default:
			}
		}
	}()
	return c, nil
}

// waitAll waits until every client has version of every type.
func waitAll(cs []*client, version string, limit time.Duration) error {
	deadline := time.After(limit)
	for _, c := range cs {
		for !c.has(version) {
			select {
			case <-c.changed:
			case <-deadline:
				return fmt.Errorf("a client still lacks version %s after %s", version, limit)
			}
		}
	}
	return nil
}

func run(n, nclients, runs int, results string) error {
	work, err := os.MkdirTemp("", "svccfg-xdsbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	tree := filepath.Join(work, "tree")
	fmt.Fprintf(os.Stderr, "bench: writing a mesh of %d services\n", n)
	if err := writeTree(tree, n, "1s"); err != nil {
		return err
	}
	var table strings.Builder
	fmt.Fprintf(&table, "| N | clients | rebuild | first build and snapshots | first sync of all clients | change → all clients updated (median) | heap in use | peak RSS so far |\n")
	fmt.Fprintf(&table, "|---:|---:|---|---:|---:|---:|---:|---:|\n")
	for _, cached := range []bool{false, true} {
		row, err := variant(tree, work, n, nclients, runs, cached)
		if err != nil {
			return err
		}
		table.WriteString(row)
	}
	report := fmt.Sprintf("# svccfg xds serve benchmark\n\ncommit %s, %s, %s/%s, %d CPUs; lib/xds's server on 127.0.0.1, "+
		"clients are raw ADS streams (CDS and LDS, ACKing); a change of one service that every client's snapshot holds\n\n",
		benchfmt.Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU()) + table.String()
	fmt.Print(report)
	if results == "" {
		return nil
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(results, benchfmt.Commit()+"-xds.md"), []byte(report), 0o644)
}

// variant serves the tree, with the build cache or not, syncs the clients
// and times runs changes; it returns the table row.
func variant(tree, work string, n, nclients, runs int, cached bool) (string, error) {
	opts := build.Options{Cwd: tree, EnvoyMessages: true} // as svccfg xds serve builds
	label := "cold, whole tree"
	if cached {
		c, err := build.OpenCache(filepath.Join(work, "cache"))
		if err != nil {
			return "", err
		}
		opts.Cache = c
		label = "--cache"
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &strings.Builder{}
	var logMu sync.Mutex
	srv := xds.NewServer(xds.Options{
		Build: func(ctx context.Context) (*xds.Mesh, error) {
			out, err := build.Build(ctx, []string{tree}, opts)
			if err != nil {
				return nil, err
			}
			return xds.NewMesh(out)
		},
		Endpoints: xds.NewStaticEndpoints(map[string][]xds.Endpoint{}),
		Log:       writerFunc(func(p []byte) { logMu.Lock(); logs.Write(p); logMu.Unlock() }),
	})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	start := time.Now()
	go srv.Serve(ctx, lis)
	for !srv.Ready() {
		time.Sleep(10 * time.Millisecond)
	}
	built := time.Since(start)
	fmt.Fprintf(os.Stderr, "bench: %s: served %d services after %s\n", label, n, benchfmt.Secs(built))

	// The clients run as services that call svc-00000: every one does.
	start = time.Now()
	var cs []*client
	for j := range nclients {
		c, err := startClient(ctx, lis.Addr().String(), name(1+j*(n-1)/nclients)+".mesh")
		if err != nil {
			return "", err
		}
		cs = append(cs, c)
	}
	if err := waitAll(cs, "1", time.Minute); err != nil {
		return "", err
	}
	synced := time.Since(start)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap := ms.HeapInuse

	var times []time.Duration
	for r := range runs {
		version := fmt.Sprint(r + 2)
		timeout := fmt.Sprintf("%ds", r+2)
		start := time.Now()
		if err := writeService(tree, 0, n, timeout); err != nil {
			return "", err
		}
		srv.Rebuild()
		if err := waitAll(cs, version, 5*time.Minute); err != nil {
			logMu.Lock()
			defer logMu.Unlock()
			return "", fmt.Errorf("%v\n%s", err, logs.String())
		}
		times = append(times, time.Since(start))
		fmt.Fprintf(os.Stderr, "bench: %s: change %d reached %d clients in %s\n", label, r+1, nclients, benchfmt.Secs(times[r]))
	}
	// Back to the first timeout, for the next variant.
	if err := writeService(tree, 0, n, "1s"); err != nil {
		return "", err
	}
	slices.Sort(times)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return fmt.Sprintf("| %d | %d | %s | %s | %s | %s | %.0f MB | %.0f MB |\n", n, nclients, label, benchfmt.Secs(built), benchfmt.Secs(synced),
		benchfmt.Secs(times[len(times)/2]), float64(heap)/1e6, float64(ru.Maxrss)*1024/1e6), nil
}

// writerFunc is an io.Writer calling f.
type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }
