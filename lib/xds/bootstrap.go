package xds

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"time"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// controlPlaneCluster is the bootstrap's static cluster of the control
// plane.
const controlPlaneCluster = "svccfg-xds"

// EnvoyAdminPort is the port of the admin interface of a bootstrapped
// Envoy, on 127.0.0.1.
const EnvoyAdminPort = 9901

// EnvoyBootstrap returns the bootstrap of the sidecar Envoy of service
// name in namespace ns: its node (cluster "NAME.NAMESPACE", so that the
// control plane serves it as that service; id "NAME~POD" with pod, if not
// empty), everything but the control plane itself from ADS at controlPlane
// ("HOST:PORT", over HTTP/2), and the admin interface on 127.0.0.1 only.
// It passes ValidateAll.
func EnvoyBootstrap(name, ns, pod, controlPlane string) (*bootstrapv3.Bootstrap, error) {
	host, port, err := splitAddr(controlPlane)
	if err != nil {
		return nil, err
	}
	id := name
	if pod != "" {
		id += "~" + pod
	}
	h2, err := anypb.New(&httpv3.HttpProtocolOptions{
		UpstreamProtocolOptions: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_{ExplicitHttpConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig{
			ProtocolConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_Http2ProtocolOptions{Http2ProtocolOptions: &corev3.Http2ProtocolOptions{}},
		}},
	})
	if err != nil {
		return nil, err
	}
	ads := &corev3.ConfigSource{
		ResourceApiVersion:    corev3.ApiVersion_V3,
		ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
	}
	b := &bootstrapv3.Bootstrap{
		Node: &corev3.Node{Id: id, Cluster: name + "." + ns},
		DynamicResources: &bootstrapv3.Bootstrap_DynamicResources{
			AdsConfig: &corev3.ApiConfigSource{
				ApiType:             corev3.ApiConfigSource_GRPC,
				TransportApiVersion: corev3.ApiVersion_V3,
				GrpcServices: []*corev3.GrpcService{{TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{
					EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: controlPlaneCluster},
				}}},
				SetNodeOnFirstMessageOnly: true,
			},
			LdsConfig: ads,
			CdsConfig: ads,
		},
		StaticResources: &bootstrapv3.Bootstrap_StaticResources{Clusters: []*clusterv3.Cluster{{
			Name:                          controlPlaneCluster,
			ClusterDiscoveryType:          &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STRICT_DNS},
			ConnectTimeout:                durationpb.New(time.Second),
			TypedExtensionProtocolOptions: map[string]*anypb.Any{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": h2},
			LoadAssignment: &endpointv3.ClusterLoadAssignment{
				ClusterName: controlPlaneCluster,
				Endpoints: []*endpointv3.LocalityLbEndpoints{{LbEndpoints: []*endpointv3.LbEndpoint{{
					HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
						Address: socketAddress(host, port),
					}},
				}}}},
			},
		}}},
		Admin: &bootstrapv3.Admin{Address: socketAddress("127.0.0.1", EnvoyAdminPort)},
	}
	if err := b.ValidateAll(); err != nil {
		return nil, err
	}
	return b, nil
}

// GRPCBootstrap returns the bootstrap file of a proxyless gRPC client
// (GRPC_XDS_BOOTSTRAP) that runs as service name in namespace ns: the
// control plane at controlPlane ("HOST:PORT"), without TLS, and the same
// node as [EnvoyBootstrap].
func GRPCBootstrap(name, ns, pod, controlPlane string) ([]byte, error) {
	if _, _, err := splitAddr(controlPlane); err != nil {
		return nil, err
	}
	id := name
	if pod != "" {
		id += "~" + pod
	}
	type server struct {
		URI      string              `json:"server_uri"`
		Creds    []map[string]string `json:"channel_creds"`
		Features []string            `json:"server_features"`
	}
	doc := struct {
		Servers []server          `json:"xds_servers"`
		Node    map[string]string `json:"node"`
	}{
		Servers: []server{{URI: controlPlane, Creds: []map[string]string{{"type": "insecure"}}, Features: []string{"xds_v3"}}},
		Node:    map[string]string{"id": id, "cluster": name + "." + ns},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// splitAddr splits "HOST:PORT".
func splitAddr(addr string) (string, uint32, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("control plane address %q: %v", addr, err)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 || host == "" {
		return "", 0, fmt.Errorf("control plane address %q: want HOST:PORT", addr)
	}
	return host, uint32(p), nil
}

func socketAddress(host string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address:       host,
		PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}
