package xds_test

import (
	"encoding/json"
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"github.com/svccfg/svccfg/lib/xds"
	xdsgrpc "google.golang.org/grpc/xds"
)

// TestBootstraps checks that a service's bootstraps name a node that the
// control plane serves as that service, and that their readers accept
// them: Envoy's own validation, and grpc-go's bootstrap parser.
func TestBootstraps(t *testing.T) {
	b, err := xds.EnvoyBootstrap("web", "shop", "web-7d9", "xds.mesh:18000")
	if err != nil {
		t.Fatal(err)
	}
	if g := xds.Group(b.Node.Cluster, b.Node.Id); g != "web.shop" || b.Node.Id != "web~web-7d9" {
		t.Errorf("Envoy node %v is served as %q, want web.shop", b.Node, g)
	}
	sa := b.StaticResources.Clusters[0].LoadAssignment.Endpoints[0].LbEndpoints[0].GetEndpoint().Address.GetSocketAddress()
	if sa.Address != "xds.mesh" || sa.GetPortValue() != 18000 || b.Admin.Address.GetSocketAddress().Address != "127.0.0.1" {
		t.Errorf("control plane %v, admin %v", sa, b.Admin.Address)
	}
	if b.DynamicResources.LdsConfig.GetAds() == nil || b.DynamicResources.AdsConfig.ApiType != corev3.ApiConfigSource_GRPC {
		t.Errorf("dynamic resources %v, want LDS and CDS over ADS", b.DynamicResources)
	}

	data, err := xds.GRPCBootstrap("client", "default", "", "127.0.0.1:18000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := xdsgrpc.NewXDSResolverWithConfigForTesting(data); err != nil {
		t.Errorf("grpc-go refuses the bootstrap: %v\n%s", err, data)
	}
	var doc struct{ Node struct{ ID, Cluster string } }
	if err := json.Unmarshal(data, &doc); err != nil || xds.Group(doc.Node.Cluster, doc.Node.ID) != "client.default" {
		t.Errorf("gRPC node %+v (%v), want the group client.default", doc.Node, err)
	}

	for _, addr := range []string{"nocolon", "host:0", ":18000", "host:99999"} {
		if _, err := xds.EnvoyBootstrap("web", "shop", "", addr); err == nil || !strings.Contains(err.Error(), "control plane address") {
			t.Errorf("control plane %q: error %v", addr, err)
		}
	}
}
