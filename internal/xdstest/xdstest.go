// Package xdstest holds what the xDS tests share: gRPC backends that count
// their RPCs, and RPCs sent through grpc-go's xDS client.
package xdstest

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/xds"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	xdsgrpc "google.golang.org/grpc/xds"
)

// A Backend is a gRPC health server that counts the RPCs it serves.
type Backend struct {
	// Addr is the address it listens on.
	Addr string
	// N counts its RPCs.
	N atomic.Int64
}

// Serve serves a Backend on lis until t ends.
func Serve(t *testing.T, lis net.Listener) *Backend {
	b := &Backend{Addr: lis.Addr().String()}
	g := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		b.N.Add(1)
		return h(ctx, req)
	}))
	healthpb.RegisterHealthServer(g, health.NewServer())
	go g.Serve(lis)
	t.Cleanup(g.Stop)
	return b
}

// Check sends n health checks over conn, waiting for the connection to be
// ready, and fails t at the first that fails, with log (the control
// plane's) in the message.
func Check(t *testing.T, conn *grpc.ClientConn, n int, log fmt.Stringer) {
	t.Helper()
	client := healthpb.NewHealthClient(conn)
	for range n {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := client.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
		cancel()
		if err != nil {
			t.Fatalf("Check: %v\ncontrol plane:\n%s", err, log.String())
		}
	}
}

// Log is a log that goroutines may write at once.
type Log struct {
	mu sync.Mutex
	b  []byte
}

// Write appends p.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

// String returns what was written.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}

// Dial returns a connection to target (such as xds:///echo) through
// grpc-go's xDS resolver with bootstrap, closed when t ends.
func Dial(t *testing.T, target string, bootstrap []byte, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	resolver, err := xdsgrpc.NewXDSResolverWithConfigForTesting(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithResolvers(resolver)}, opts...)
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Start serves srv on addr (such as 127.0.0.1:0) and returns the address
// it listens on and a function that stops it and waits until it has
// stopped; t's end stops it too.
func Start(t *testing.T, srv *xds.Server, addr string) (string, func()) {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, lis); close(done) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); lis.Close(); <-done }) }
	t.Cleanup(stop)
	return lis.Addr().String(), stop
}

// BuildDir returns an [xds.BuildFunc] that builds the configuration in dir
// with vars.
func BuildDir(dir string, vars map[string]string) xds.BuildFunc {
	return func(ctx context.Context) (*xds.Mesh, error) {
		out, err := build.Build(ctx, []string{dir}, build.Options{Cwd: dir, Vars: vars, EnvoyMessages: true})
		if err != nil {
			return nil, err
		}
		return xds.NewMesh(out)
	}
}
