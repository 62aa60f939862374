package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/svccfg/svccfg/internal/testcluster"
	"github.com/svccfg/svccfg/internal/xdstest"
	"github.com/svccfg/svccfg/lib/xds"
	"golang.org/x/sys/unix"
	"google.golang.org/grpc"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The backends' addresses: a documentation range, which EndpointSlices
// accept (they refuse loopback addresses), on the loopback interface of a
// network namespace that the test creates, so that nothing outside it
// sees them.
var meshAddrs = []string{"198.51.100.5", "198.51.100.6"}

const meshConfig = `def main(ctx):
    return [
        service(name = "echo", owner = "t", image = "r/echo:1", ports = [port.grpc(8080)]),
        service(name = "client", owner = "t", image = "r/client:1", ports = [port.grpc(8081)], calls = ["echo"]),
    ]
`

// TestMeshEndpointSlices runs the control plane as svccfg xds serve does,
// with the endpoints of a real kube-apiserver's EndpointSlices, and
// grpc-go's xDS client dialing xds:///echo with the bootstrap svccfg
// generates for the service "client": its RPCs reach both backends, which
// listen on the addresses of the slice inside a network namespace; a
// change of the slice moves the traffic.
func TestMeshEndpointSlices(t *testing.T) {
	c := testcluster.Start(t)
	const ns = "mesh-e2e"
	createNamespaces(t, c, []string{ns})
	netns := newNetns(t, meshAddrs)

	var backends []*xdstest.Backend
	for _, a := range meshAddrs {
		backends = append(backends, netns.backend(t, net.JoinHostPort(a, "8080")))
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.star"), []byte(meshConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs xdstest.Log
	srv := xds.NewServer(xds.Options{
		Build:     xdstest.BuildDir(dir, map[string]string{"namespace": ns}),
		Endpoints: xds.NewEndpointSliceSource(c.Clientset),
		Log:       &logs,
	})
	addr, _ := xdstest.Start(t, srv, "127.0.0.1:0")

	slice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: "echo-1", Namespace: ns, Labels: map[string]string{discoveryv1.LabelServiceName: "echo"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: meshAddrs[:1]}, {Addresses: meshAddrs[1:]}},
		Ports:       []discoveryv1.EndpointPort{{Name: new("grpc"), Port: new(int32(8080))}},
	}
	slice, err := c.Clientset.DiscoveryV1().EndpointSlices(ns).Create(t.Context(), slice, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	bootstrap, err := xds.GRPCBootstrap("client", ns, "e2e", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn := xdstest.Dial(t, "xds:///echo", bootstrap, grpc.WithContextDialer(netns.dial))
	rpcs := func(n int) {
		t.Helper()
		xdstest.Check(t, conn, n, &logs)
	}
	rpcs(200)
	if backends[0].N.Load() == 0 || backends[1].N.Load() == 0 {
		t.Fatalf("RPCs per backend: %d, %d; want both", backends[0].N.Load(), backends[1].N.Load())
	}

	// One endpoint less in the slice: the control plane pushes it, and the
	// traffic goes to the other backend only.
	slice.Endpoints = slice.Endpoints[1:]
	if _, err := c.Clientset.DiscoveryV1().EndpointSlices(ns).Update(t.Context(), slice, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		before := backends[0].N.Load()
		rpcs(50)
		if backends[0].N.Load() == before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("RPCs still reach %s after its endpoint left the slice\n%s", meshAddrs[0], logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	before := backends[1].N.Load()
	rpcs(100)
	if got := backends[1].N.Load() - before; got != 100 {
		t.Errorf("%s got %d of 100 RPCs, want all", meshAddrs[1], got)
	}
}

// A netns is a network namespace that the test created.
type netns struct {
	name string
}

// newNetns creates a network namespace whose loopback interface holds
// addrs, and deletes it when t ends.
func newNetns(t *testing.T, addrs []string) *netns {
	t.Helper()
	n := &netns{name: fmt.Sprintf("svccfg-e2e-%d", os.Getpid())}
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", n.name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", n.name).Run() })
	ip("netns", "exec", n.name, "ip", "link", "set", "lo", "up")
	for _, a := range addrs {
		ip("netns", "exec", n.name, "ip", "addr", "add", a+"/32", "dev", "lo")
	}
	return n
}

// do runs f on an OS thread inside the namespace. Sockets that f opens
// stay in the namespace, whichever thread uses them later; the thread is
// discarded afterwards, since it stays locked.
func (n *netns) do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		fd, err := unix.Open("/var/run/netns/"+n.name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", n.name, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// dial connects to addr from inside the namespace if it is one of its
// addresses, and from the test's own otherwise (the control plane).
func (n *netns) dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	host, _, _ := net.SplitHostPort(addr)
	for _, a := range meshAddrs {
		if host == a {
			var conn net.Conn
			err := n.do(func() (err error) {
				conn, err = d.DialContext(ctx, "tcp", addr)
				return err
			})
			return conn, err
		}
	}
	return d.DialContext(ctx, "tcp", addr)
}

// backend starts a backend listening on addr inside the namespace.
func (n *netns) backend(t *testing.T, addr string) *xdstest.Backend {
	t.Helper()
	var lis net.Listener
	if err := n.do(func() (err error) {
		lis, err = net.Listen("tcp", addr)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return xdstest.Serve(t, lis)
}
