package xds_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/svccfg/svccfg/internal/xdstest"
	"github.com/svccfg/svccfg/lib/xds"
)

const echoConfig = `def main(ctx):
    return service(name = "echo", owner = "t", image = "r/echo:1", ports = [port.grpc(9090)]%s)
`

const clientConfig = `def main(ctx):
    return service(name = "client", owner = "t", image = "r/client:1", ports = [port.grpc(9091)], calls = ["echo"])
`

// startBackend starts a counting gRPC backend on 127.0.0.1.
func startBackend(t *testing.T) *xdstest.Backend {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return xdstest.Serve(t, lis)
}

func endpoint(t *testing.T, b *xdstest.Backend) xds.Endpoint {
	host, port, _ := net.SplitHostPort(b.Addr)
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
	var logs xdstest.Log
	srv := xds.NewServer(xds.Options{Build: xdstest.BuildDir(dir, nil), Endpoints: eps, Log: &logs})
	addr, _ := xdstest.Start(t, srv, "127.0.0.1:0")
	bootstrap, err := xds.GRPCBootstrap("client", "default", "1", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn := xdstest.Dial(t, "xds:///echo", bootstrap)
	rpcs := func(n int) {
		t.Helper()
		xdstest.Check(t, conn, n, &logs)
	}
	rpcs(100)
	if b1.N.Load() == 0 || b2.N.Load() == 0 || canary.N.Load() != 0 {
		t.Fatalf("RPCs per backend = %d, %d, canary %d; want both > 0, canary 0", b1.N.Load(), b2.N.Load(), canary.N.Load())
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
	canary.N.Store(0)
	const n = 2000
	rpcs(n)
	// Binomial(2000, 0.05): mean 100, sd 9.7; 5 sd either side.
	if got := canary.N.Load(); got < 51 || got > 149 {
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

// TestControlPlaneRestart kills the control plane while a client sends
// RPCs: the client keeps its last configuration and its RPCs go on; a new
// control plane on the same address, with a changed configuration, is
// reached again and the traffic follows the change.
func TestControlPlaneRestart(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	b1, b2 := startBackend(t), startBackend(t)
	eps := map[string][]xds.Endpoint{"echo.default": {endpoint(t, b1)}}
	var logs xdstest.Log
	start := func(addr string, eps map[string][]xds.Endpoint) (string, func()) {
		t.Helper()
		srv := xds.NewServer(xds.Options{Build: xdstest.BuildDir(dir, nil), Endpoints: xds.NewStaticEndpoints(eps), Log: &logs})
		return xdstest.Start(t, srv, addr)
	}
	addr, stop := start("127.0.0.1:0", eps)
	bootstrap, err := xds.GRPCBootstrap("client", "default", "", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn := xdstest.Dial(t, "xds:///echo", bootstrap)
	rpcs := func(n int) {
		t.Helper()
		xdstest.Check(t, conn, n, &logs)
	}
	rpcs(20)
	stop()
	// No control plane: the client keeps what it was given.
	before := b1.N.Load()
	rpcs(50)
	if got := b1.N.Load() - before; got != 50 {
		t.Fatalf("with the control plane down, the backend got %d of 50 RPCs", got)
	}
	// A new control plane where the endpoints moved: the client resyncs.
	_, stop = start(addr, map[string][]xds.Endpoint{"echo.default": {endpoint(t, b2)}})
	defer stop()
	waitFor(t, func() bool {
		rpcs(5)
		return b2.N.Load() > 0
	})
	before = b1.N.Load()
	rpcs(50)
	if b1.N.Load() != before {
		t.Errorf("after the resync, the old backend still got %d RPCs", b1.N.Load()-before)
	}
}

// TestNACK drives the server with a raw ADS stream, as an Envoy that
// rejects a version would: the NACKed version is replaced by the last one
// the node accepted, nothing more is sent to it (no resend loop), and the
// next configuration change reaches it again.
func TestNACK(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	var logs xdstest.Log
	srv := xds.NewServer(xds.Options{Build: xdstest.BuildDir(dir, nil), Endpoints: xds.NewStaticEndpoints(map[string][]xds.Endpoint{}), Log: &logs})
	addr, _ := xdstest.Start(t, srv, "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stream, err := discoverygrpc.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	node := &corev3.Node{Id: "client~1", Cluster: "client.default"}
	const typeURL = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
	send := func(version, nonce, nack string) {
		t.Helper()
		req := &discoverygrpc.DiscoveryRequest{Node: node, TypeUrl: typeURL, VersionInfo: version, ResponseNonce: nonce}
		if nack != "" {
			req.ErrorDetail = &statuspb.Status{Code: 3, Message: nack}
		}
		if err := stream.Send(req); err != nil {
			t.Fatal(err)
		}
	}
	responses := make(chan *discoverygrpc.DiscoveryResponse, 10)
	go func() {
		for {
			resp, err := stream.Recv()
			if err != nil {
				close(responses)
				return
			}
			responses <- resp
		}
	}()
	recv := func() *discoverygrpc.DiscoveryResponse {
		t.Helper()
		select {
		case resp, ok := <-responses:
			if !ok {
				t.Fatal("stream closed")
			}
			return resp
		case <-time.After(10 * time.Second):
			t.Fatalf("no response\n%s", logs.String())
			return nil
		}
	}
	send("", "", "")
	v1 := recv()
	if v1.VersionInfo != "1" || len(v1.Resources) == 0 {
		t.Fatalf("first response: version %q, %d clusters", v1.VersionInfo, len(v1.Resources))
	}
	send("1", v1.Nonce, "") // ACK

	writeConfig(t, dir, `, timeout = "2s"`)
	srv.Rebuild()
	v2 := recv()
	if v2.VersionInfo != "2" {
		t.Fatalf("after the change: version %q, want 2", v2.VersionInfo)
	}
	send("1", v2.Nonce, "cluster echo: rejected")
	waitFor(t, func() bool {
		return strings.Contains(logs.String(), `NACKed type.googleapis.com/envoy.config.cluster.v3.Cluster version 2: cluster echo: rejected; reverting to version "1"`)
	})
	// The node has version 1 again, which it says it has: nothing is sent.
	select {
	case resp := <-responses:
		t.Fatalf("after the NACK, a response of version %q: want none (no resend loop)", resp.GetVersionInfo())
	case <-time.After(time.Second):
	}

	writeConfig(t, dir, `, timeout = "3s"`)
	srv.Rebuild()
	if v3 := recv(); v3.VersionInfo != "3" {
		t.Fatalf("after the next change: version %q, want 3", v3.VersionInfo)
	}
}
