package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	"github.com/svccfg/svccfg/lib/diff"
	"github.com/svccfg/svccfg/lib/render"
	"github.com/svccfg/svccfg/lib/xds"
	"google.golang.org/protobuf/encoding/protojson"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"
)

const xdsServeDoc = `Serve builds the configuration files at each PATH, as build does, and
serves their Envoy resources over aggregated xDS (ADS, gRPC) to Envoy
sidecars and proxyless gRPC clients, on go-control-plane's snapshot cache.

A node is served as the service its node.cluster names ("NAME" or
"NAME.NAMESPACE"; else node.id up to its first "~" or "."): its sidecar's
Listeners NAME-ingress and NAME-egress, Cluster NAME-local, and for each
service it calls (service(calls = [...])) that service's Listener, routes,
Clusters and ClusterLoadAssignments. Endpoints come from the cluster's
EndpointSlices, watched through an informer (--kubeconfig, --context), or
from --endpoints FILE, a YAML map from "NAME.NAMESPACE" to addresses:

  web.default: ["198.51.100.7:8080", "198.51.100.8:8080"]

A configuration that does not build is an error at start (exit 1). Once
serving, every change of a .star file or svccfg.yaml under the PATHs (polled
every --watch; 0 turns it off) and every SIGHUP rebuilds: the new snapshots
are validated (each resource's ValidateAll, the snapshot's consistency)
before they replace the served ones, so an invalid configuration is logged,
positioned, and the old one stays. A node that NACKs a version is set back
to its last accepted version, once. Endpoint changes are pushed as they
come.

--admin serves /healthz, /readyz (200 once a configuration is served) and
/metrics (plain counters: svccfg_xds_version, rebuilds, refusals, ACKs,
NACKs, open streams). Both listeners are on 127.0.0.1 unless told
otherwise; port 0 picks a free port, and --addr-file FILE writes the
addresses listened on ("ads=HOST:PORT" and "admin=HOST:PORT" lines) and the
process ID ("pid=N") once serving. SIGINT or SIGTERM stops gracefully: streams in flight end, exit 0.

Exit status: 0 after a graceful stop; 1 for a configuration that does not
build at start; 2 for usage errors and a listener, cluster or endpoints
file that cannot be used.

Examples:

  svccfg xds serve --context prod services/
  svccfg xds serve --listen 127.0.0.1:18000 --admin 127.0.0.1:18001 --endpoints eps.yaml examples/`

// Flags of xds serve.
const (
	flagListen    = "listen"
	flagAdmin     = "admin"
	flagEndpoints = "endpoints"
	flagWatch     = "watch"
	flagAddrFile  = "addr-file"
)

func newXDSCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "xds",
		Short: "Serve the configuration's Envoy resources to proxies over xDS",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErrorf("xds: missing command: serve (see svccfg xds --help)")
		},
	}
	serve := &cobra.Command{
		Use:   "serve [flags] PATH...",
		Short: "Serve the Envoy resources over aggregated xDS (ADS)",
		Long:  xdsServeDoc,
		Args:  needPaths,
		RunE:  mkRunE(c, runXDSServe),
	}
	addEvalFlags(serve)
	f := serve.Flags()
	f.String(flagKubeconfig, "", "the kubeconfig `file` whose cluster's EndpointSlices give the endpoints (default $KUBECONFIG, else ~/.kube/config)")
	f.String(flagContext, "", "the kubeconfig `context` to use (default its current context)")
	f.String(flagListen, "127.0.0.1:18000", "serve ADS on this `address`")
	f.String(flagAdmin, "127.0.0.1:18001", "serve /healthz, /readyz and /metrics on this `address` (empty: not at all)")
	f.String(flagEndpoints, "", "take the endpoints from this YAML `file` instead of the cluster")
	f.Duration(flagWatch, time.Second, "look for changed configuration files this often (0: only on SIGHUP)")
	f.String(flagAddrFile, "", "write the addresses listened on, and the process ID, to this `file` once serving")
	cmd.AddCommand(serve, newXDSBootstrapCmd(c))
	return cmd
}

const xdsBootstrapDoc = `Bootstrap builds the configuration at each PATH, as build does, and
writes the bootstrap of each service of its mesh: what a sidecar Envoy (or,
with --format grpc, a proxyless gRPC client's GRPC_XDS_BOOTSTRAP) needs to
fetch everything else from svccfg xds serve at --control-plane. The node's
cluster is NAME.NAMESPACE, so that the control plane serves it as that
service; its id is NAME, or NAME~POD with --pod (in a pod spec, from the
downward API). The Envoy bootstrap gets its listeners and clusters over ADS,
reaches the control plane over HTTP/2 through a static cluster, and serves
its admin interface on 127.0.0.1:9901 only; it passes Envoy's own
validation (ValidateAll).

With --service NAME (or NAME.NAMESPACE) it prints that service's
bootstrap; otherwise it writes one file per service, -o DIR/NAME.NAMESPACE.json.

Exit status: 0 on success; 1 for configuration errors; 2 for usage errors,
such as a service that is not in the mesh.

Examples:

  svccfg xds bootstrap --service web --control-plane xds.mesh:18000 services/
  svccfg xds bootstrap --format grpc -o bootstrap/ services/`

// Flags of xds bootstrap.
const (
	flagControlPlane = "control-plane"
	flagService      = "service"
	flagPod          = "pod"
)

func newXDSBootstrapCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bootstrap [flags] PATH...",
		Short: "Write the bootstrap of each service's Envoy sidecar or gRPC client",
		Long:  xdsBootstrapDoc,
		Args:  needPaths,
		RunE:  mkRunE(c, runXDSBootstrap),
	}
	addEvalFlags(cmd)
	f := cmd.Flags()
	f.String(flagControlPlane, "127.0.0.1:18000", "the `address` (HOST:PORT) of svccfg xds serve")
	f.String(flagFormat, "envoy", "the bootstrap's `format`: envoy (a sidecar's) or grpc (a proxyless gRPC client's)")
	f.String(flagService, "", "print the bootstrap of this service (`NAME` or NAME.NAMESPACE) only")
	f.String(flagPod, "", "the `pod` name in the node's id (NAME~POD)")
	f.StringP(flagOutDir, "o", "", "write DIR/NAME.NAMESPACE.json for each service into `dir`")
	return cmd
}

func runXDSBootstrap(c *command, cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	cp, _ := f.GetString(flagControlPlane)
	format, _ := f.GetString(flagFormat)
	only, _ := f.GetString(flagService)
	pod, _ := f.GetString(flagPod)
	dir, _ := f.GetString(flagOutDir)
	if format != "envoy" && format != "grpc" {
		return usageErrorf("--%s %q: want envoy or grpc", flagFormat, format)
	}
	if (only == "") == (dir == "") {
		return usageErrorf("xds bootstrap: give --%s NAME or -o DIR", flagService)
	}
	out, _, err := buildPaths(cmd, args, nil)
	if err != nil {
		return err
	}
	mesh, err := xds.NewMesh(out)
	if err != nil {
		return err
	}
	// The services of the mesh: groups of raw Envoy resources, which name
	// no namespace, have no sidecar of svccfg's making.
	var groups []string
	for _, g := range mesh.Groups() {
		if name, ns, _ := strings.Cut(g, "."); name != "" && ns != "" {
			groups = append(groups, g)
		}
	}
	if only != "" {
		var match []string
		for _, g := range groups {
			if g == only || strings.HasPrefix(g, only+".") && !strings.Contains(only, ".") {
				match = append(match, g)
			}
		}
		switch len(match) {
		case 0:
			return usageErrorf("xds bootstrap: no service %q in the mesh (it has %s)", only, strings.Join(groups, ", "))
		case 1:
		default:
			return usageErrorf("xds bootstrap: %q is several services (%s): give NAME.NAMESPACE", only, strings.Join(match, ", "))
		}
		groups = match
	}
	files := make(map[string][]byte, len(groups))
	for _, g := range groups {
		name, ns, _ := strings.Cut(g, ".")
		data, err := bootstrapJSON(format, name, ns, pod, cp)
		if err != nil {
			return usageErrorf("xds bootstrap: %v", err)
		}
		files[g+".json"] = data
	}
	if only != "" {
		_, err := cmd.OutOrStdout().Write(files[groups[0]+".json"])
		return err
	}
	if err := render.WriteDir(dir, files); err != nil {
		return systemError{err}
	}
	return nil
}

// bootstrapJSON returns the bootstrap of format of service name in ns, as
// canonical JSON.
func bootstrapJSON(format, name, ns, pod, cp string) ([]byte, error) {
	var data []byte
	var err error
	if format == "grpc" {
		data, err = xds.GRPCBootstrap(name, ns, pod, cp)
	} else {
		b, berr := xds.EnvoyBootstrap(name, ns, pod, cp)
		if berr != nil {
			return nil, berr
		}
		// Not as an Any: Envoy reads the file as the Bootstrap itself.
		data, err = protojson.MarshalOptions{UseProtoNames: true}.Marshal(b)
	}
	if err != nil {
		return nil, err
	}
	n, err := canon.ParseJSON(data)
	if err != nil {
		return nil, err
	}
	return canon.Encode(n, canon.JSON), nil
}

func runXDSServe(c *command, cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	listen, _ := f.GetString(flagListen)
	admin, _ := f.GetString(flagAdmin)
	epsFile, _ := f.GetString(flagEndpoints)
	watch, _ := f.GetDuration(flagWatch)
	addrFile, _ := f.GetString(flagAddrFile)
	if watch < 0 {
		return usageErrorf("--%s must not be negative, got %s", flagWatch, watch)
	}
	// The first build, which must succeed, also checks the paths. The
	// server serves messages: no need to encode them to JSON.
	out, opts, err := buildPaths(cmd, args, func(o *build.Options) { o.EnvoyMessages = true })
	if err != nil {
		return err
	}
	first, err := xds.NewMesh(out)
	if err != nil {
		return err
	}
	eps, err := endpointSource(cmd, epsFile)
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", listen)
	if err != nil {
		return usageErrorf("--%s: %v", flagListen, err)
	}
	defer lis.Close()
	addrs := "ads=" + lis.Addr().String() + "\n"
	var adminSrv *http.Server
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stderr := cmd.ErrOrStderr()
	build1 := func(ctx context.Context) (*xds.Mesh, error) {
		if first != nil {
			m := first
			first = nil
			return m, nil
		}
		out, err := build.Build(ctx, args, opts)
		if err != nil {
			return nil, err
		}
		return xds.NewMesh(out)
	}
	srv := xds.NewServer(xds.Options{Build: build1, Endpoints: eps, Log: stderr})
	if admin != "" {
		alis, err := net.Listen("tcp", admin)
		if err != nil {
			return usageErrorf("--%s: %v", flagAdmin, err)
		}
		addrs += "admin=" + alis.Addr().String() + "\n"
		adminSrv = &http.Server{Handler: srv.AdminHandler(), ReadHeaderTimeout: 10 * time.Second}
		go adminSrv.Serve(alis)
		defer adminSrv.Close()
	}
	fmt.Fprintf(stderr, "xds: serving %s", strings.ReplaceAll(strings.TrimSpace(addrs), "\n", ", "))
	fmt.Fprintln(stderr)
	if addrFile != "" {
		if err := writeFileAtomic(addrFile, fmt.Appendf([]byte(addrs), "pid=%d\n", os.Getpid())); err != nil {
			return systemError{fmt.Errorf("--%s: %w", flagAddrFile, err)}
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		// The config roots, not only the paths: a file may load a library
		// elsewhere in its root.
		watched := slices.Clone(args)
		for _, r := range out.Roots {
			watched = append(watched, r.Dir)
		}
		var seen string
		if watch > 0 {
			seen = configStamp(watched)
		}
		interval := watch
		if interval == 0 {
			interval = time.Hour // only SIGHUP rebuilds
		}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				fmt.Fprintln(stderr, "xds: SIGHUP: rebuilding")
				srv.Rebuild()
			case <-tick.C:
				if watch == 0 {
					continue
				}
				if now := configStamp(watched); now != seen {
					seen = now
					fmt.Fprintln(stderr, "xds: configuration changed: rebuilding")
					srv.Rebuild()
				}
			}
		}
	}()
	if err := srv.Serve(ctx, lis); err != nil && !errors.Is(err, net.ErrClosed) {
		return systemError{fmt.Errorf("xds: %w", err)}
	}
	fmt.Fprintln(stderr, "xds: stopped")
	return nil
}

// endpointSource returns the endpoints of --endpoints FILE, or else of the
// cluster of the kubeconfig flags.
func endpointSource(cmd *cobra.Command, file string) (xds.EndpointSource, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, usageErrorf("--%s: %v", flagEndpoints, err)
		}
		m, err := parseEndpoints(data)
		if err != nil {
			return nil, usageErrorf("--%s: %s: %v", flagEndpoints, file, err)
		}
		return xds.NewStaticEndpoints(m), nil
	}
	kubeconfig, _ := cmd.Flags().GetString(flagKubeconfig)
	kcontext, _ := cmd.Flags().GetString(flagContext)
	cfg, err := diff.LoadConfig(kubeconfig, kcontext)
	if err != nil {
		return nil, systemError{err}
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, systemError{err}
	}
	return xds.NewEndpointSliceSource(client), nil
}

// parseEndpoints reads an endpoints file: a YAML map from "NAME.NAMESPACE"
// to a list of "HOST:PORT" addresses.
func parseEndpoints(data []byte) (map[string][]xds.Endpoint, error) {
	var raw map[string][]string
	if err := yaml.UnmarshalStrict(data, &raw); err != nil {
		return nil, err
	}
	m := make(map[string][]xds.Endpoint, len(raw))
	for key, addrs := range raw {
		if name, ns, ok := strings.Cut(key, "."); !ok || name == "" || ns == "" {
			return nil, fmt.Errorf("%q: want a key NAME.NAMESPACE", key)
		}
		for _, a := range addrs {
			host, port, err := net.SplitHostPort(a)
			p, perr := strconv.ParseUint(port, 10, 16)
			if err != nil || perr != nil || p == 0 || net.ParseIP(host) == nil {
				return nil, fmt.Errorf("%s: %q: want an IP address and a port", key, a)
			}
			m[key] = append(m[key], xds.Endpoint{Address: host, Port: uint32(p), Ready: true})
		}
	}
	return m, nil
}

// writeFileAtomic writes data to name through a temporary file in the same
// directory, so that a reader sees all of it or nothing.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// configStamp returns the names, sizes and modification times of the
// configuration files under paths (.star files and svccfg.yaml), which
// change when any of them does.
func configStamp(paths []string) string {
	var b strings.Builder
	for _, root := range paths {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if filepath.Ext(p) != ".star" && d.Name() != "svccfg.yaml" {
				return nil
			}
			if info, err := d.Info(); err == nil {
				fmt.Fprintf(&b, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	return b.String()
}
