package xds_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
	xdsgrpc "google.golang.org/grpc/xds"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/xds"
)

const echoConfig = `def main(ctx):
    return service(name = "echo", owner = "t", image = "r/echo:1", ports = [port.grpc(9090)]%s)
`

const clientConfig = `def main(ctx):
    return service(name = "client", owner = "t", image = "r/client:1", ports = [port.grpc(9091)], calls = ["echo"])
`

// backend is a gRPC health server on 127.0.0.1 that counts its RPCs.
type backend struct {
	addr string
	n    atomic.Int64
}

func startBackend(t *testing.T) *backend {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{addr: lis.Addr().String()}
	g := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		b.n.Add(1)
		return h(ctx, req)
	}))
	healthpb.RegisterHealthServer(g, health.NewServer())
	go g.Serve(lis)
	t.Cleanup(g.Stop)
	return b
}

func endpoint(t *testing.T, b *backend) xds.Endpoint {
	host, port, _ := net.SplitHostPort(b.addr)
	var p uint32
	fmt.Sscan(port, &p)
	return xds.Endpoint{Address: host, Port: p, Ready: true}
}

// writeConfig writes the echo and client services under dir, echo with
// the extra service() arguments extra.
func writeConfig(t *testing.T, dir, extra string) {
	for name, text := range map[string]string{"echo/main.star": fmt.Sprintf(echoConfig, extra), "client/main.star": clientConfig} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "svccfg.yaml"), []byte("vars:\n  namespace: default\n"), 0o644)
}

func buildFunc(dir string) xds.BuildFunc {
	return func(ctx context.Context) (*xds.Mesh, error) {
		out, err := build.Build(ctx, []string{dir}, build.Options{Cwd: dir})
		if err != nil {
			return nil, err
		}
		return xds.NewMesh(out)
	}
}

// TestProxylessGRPC serves a mesh to grpc-go's xDS client, which dials
// xds:///echo as the service "client": its RPCs reach both backends, an
// invalid configuration change is refused while RPCs go on, and a canary
// added by a configuration change takes its share of the traffic.
func TestProxylessGRPC(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	b1, b2, canary := startBackend(t), startBackend(t), startBackend(t)
	eps := xds.NewStaticEndpoints(map[string][]xds.Endpoint{
		"echo.default":        {endpoint(t, b1), endpoint(t, b2)},
		"echo-stable.default": {endpoint(t, b1), endpoint(t, b2)},
		"echo-canary.default": {endpoint(t, canary)},
	})
	var logs syncBuffer
	srv := xds.NewServer(xds.Options{Build: buildFunc(dir), Endpoints: eps, Log: &logs})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx, lis)

	bootstrap := fmt.Sprintf(`{"xds_servers": [{"server_uri": %q, "channel_creds": [{"type": "insecure"}], "server_features": ["xds_v3"]}],
		"node": {"id": "client~1", "cluster": "client"}}`, lis.Addr().String())
	builder, err := xdsgrpc.NewXDSResolverWithConfigForTesting([]byte(bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient("xds:///echo", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithResolvers(builder))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	rpcs := func(n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			var p peer.Peer
			_, err := client.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.Peer(&p))
			cancel()
			if err != nil {
				t.Fatalf("Check: %v\n%s", err, logs.String())
			}
		}
	}
	rpcs(100)
	if b1.n.Load() == 0 || b2.n.Load() == 0 || canary.n.Load() != 0 {
		t.Fatalf("RPCs per backend = %d, %d, canary %d; want both > 0, canary 0", b1.n.Load(), b2.n.Load(), canary.n.Load())
	}

	// An invalid change: refused, positioned, RPCs go on.
	writeConfig(t, dir, ", replicas = \"three\"")
	srv.Rebuild()
	waitFor(t, func() bool { return strings.Contains(logs.String(), "configuration refused") })
	if !strings.Contains(logs.String(), "main.star:2:") {
		t.Errorf("log does not position the error:\n%s", logs.String())
	}
	rpcs(50)

	// A canary of 5%: about 5% of 2,000 RPCs reach it.
	writeConfig(t, dir, ", canary = canary(hosts = 1, percent = 5, image = \"r/echo:2\")")
	srv.Rebuild()
	waitFor(t, func() bool { return strings.Contains(logs.String(), "serving version 2") })
	time.Sleep(500 * time.Millisecond) // the client applies the new routes
	canary.n.Store(0)
	const n = 2000
	rpcs(n)
	// Binomial(2000, 0.05): mean 100, sd 9.7; 5 sd either side.
	if got := canary.n.Load(); got < 51 || got > 149 {
		t.Errorf("canary got %d of %d RPCs, want 100 ± 49\n%s", got, n, logs.String())
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
