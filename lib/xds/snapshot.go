package xds

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/svccfg/svccfg/lib/build"
)

// A service is one service's compiled Envoy resources.
type service struct {
	name, namespace string
	byType          map[string][]proto.Message // by resource type URL
}

// Mesh is the Envoy side of one build: every service's resources, by
// "NAME.NAMESPACE" and by NAME.
type Mesh struct {
	services map[string]*service
	// clusters are the services that have a Cluster of each name, in the
	// order of their groups.
	clusters map[string][]*service
}

// NewMesh indexes the Envoy resources of out.
func NewMesh(out *build.Output) (*Mesh, error) {
	m := &Mesh{services: map[string]*service{}}
	for _, u := range out.Units {
		if len(u.Envoy) == 0 {
			continue
		}
		s := &service{name: u.Name, namespace: u.Namespace, byType: map[string][]proto.Message{}}
		for i := range u.Envoy {
			msg, err := u.Envoy[i].Message()
			if err != nil {
				return nil, err
			}
			url := resource.APITypePrefix + u.Envoy[i].Type
			s.byType[url] = append(s.byType[url], msg)
		}
		m.services[u.Name+"."+u.Namespace] = s
		if _, ok := m.services[u.Name]; !ok {
			m.services[u.Name] = s
		}
	}
	m.clusters = map[string][]*service{}
	for _, g := range m.Groups() {
		s := m.services[g]
		for _, c := range s.byType[resource.ClusterType] {
			name := resourceName(c)
			m.clusters[name] = append(m.clusters[name], s)
		}
	}
	return m, nil
}

// Groups returns the node groups the mesh serves, as "NAME.NAMESPACE", sorted.
func (m *Mesh) Groups() []string {
	var keys []string
	for k, s := range m.services {
		if k == s.name+"."+s.namespace {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// lookup returns the service that group names, or nil.
func (m *Mesh) lookup(group string) *service { return m.services[group] }

// get returns the resource of s of type url called name, or nil.
func (s *service) get(url, name string) proto.Message {
	for _, r := range s.byType[url] {
		if resourceName(r) == name {
			return r
		}
	}
	return nil
}

func resourceName(r proto.Message) string { return cache.GetResourceName(r) }

// Snapshot builds the snapshot, at version, of the node group group: its
// own sidecar resources and the resources of the services it calls, with
// endpoints from eps. It validates every resource and the snapshot's
// consistency.
func (m *Mesh) Snapshot(group, version string, eps EndpointSource) (*cache.Snapshot, error) {
	s := m.lookup(group)
	if s == nil {
		return nil, fmt.Errorf("no service %q in the configuration", group)
	}
	res := map[string][]types.Resource{}
	add := func(r proto.Message) {
		if r == nil {
			return
		}
		url := resource.APITypePrefix + string(r.ProtoReflect().Descriptor().FullName())
		for _, have := range res[url] {
			if resourceName(have) == resourceName(r) {
				return
			}
		}
		res[url] = append(res[url], r.(types.Resource))
	}
	add(s.get(resource.ListenerType, s.name+"-ingress"))
	add(s.get(resource.ClusterType, s.name+"-local"))
	add(s.get(resource.ListenerType, s.name+build.EgressSuffix))
	egress, _ := s.get(resource.RouteType, s.name+build.EgressSuffix).(*routev3.RouteConfiguration)
	add(egress)
	for _, dep := range m.callees(s, egress) {
		add(dep.get(resource.ListenerType, dep.name))
		add(dep.get(resource.RouteType, dep.name))
		port := dep.localPort()
		for _, c := range dep.byType[resource.ClusterType] {
			c := c.(*clusterv3.Cluster)
			if c.GetType() != clusterv3.Cluster_EDS {
				continue
			}
			add(c)
			add(loadAssignment(c, port, eps))
		}
	}
	snap, err := cache.NewSnapshot(version, res)
	if err != nil {
		return nil, err
	}
	for _, rs := range res {
		for _, r := range rs {
			if v, ok := r.(interface{ ValidateAll() error }); ok {
				if err := v.ValidateAll(); err != nil {
					return nil, fmt.Errorf("%s %q: %v", r.ProtoReflect().Descriptor().FullName(), resourceName(r), err)
				}
			}
		}
	}
	if err := consistent(snap); err != nil {
		return nil, err
	}
	return snap, nil
}

// consistent checks that every resource that snap's resources refer to is
// in snap. It is the check of [cache.Snapshot.Consistent] without its
// converse (that every route configuration and load assignment is
// referred to), which proxyless gRPC's api_listeners, whose RDS
// references go-control-plane does not follow, would fail.
func consistent(snap *cache.Snapshot) error {
	refs := cache.GetAllResourceReferences(snap.Resources)
	for _, url := range slices.Sorted(maps.Keys(refs)) {
		have := snap.GetResources(url)
		for _, name := range slices.Sorted(maps.Keys(refs[url])) {
			if _, ok := have[name]; !ok {
				return fmt.Errorf("inconsistent snapshot: %s %q is referred to but missing", url, name)
			}
		}
	}
	return nil
}

// callees returns the services whose clusters the egress routes of s name,
// in order.
func (m *Mesh) callees(s *service, egress *routev3.RouteConfiguration) []*service {
	var deps []*service
	seen := map[*service]bool{}
	for _, vh := range egress.GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			names := []string{r.GetRoute().GetCluster()}
			for _, w := range r.GetRoute().GetWeightedClusters().GetClusters() {
				names = append(names, w.GetName())
			}
			for _, n := range names {
				d := m.owner(n, s.namespace)
				if d != nil && !seen[d] {
					seen[d] = true
					deps = append(deps, d)
				}
			}
		}
	}
	return deps
}

// owner returns the service, preferably in namespace ns, that has a Cluster
// called name.
func (m *Mesh) owner(name, ns string) *service {
	var found *service
	for _, d := range m.clusters[name] {
		if found == nil || d.namespace == ns {
			found = d
		}
	}
	return found
}

// localPort returns the port of s's app, from its Cluster NAME-local.
func (s *service) localPort() uint32 {
	c, _ := s.get(resource.ClusterType, s.name+"-local").(*clusterv3.Cluster)
	for _, l := range c.GetLoadAssignment().GetEndpoints() {
		for _, e := range l.GetLbEndpoints() {
			return e.GetEndpoint().GetAddress().GetSocketAddress().GetPortValue()
		}
	}
	return 0
}

// loadAssignment returns the ClusterLoadAssignment of the EDS cluster c.
func loadAssignment(c *clusterv3.Cluster, port uint32, eps EndpointSource) *endpointv3.ClusterLoadAssignment {
	name := c.GetEdsClusterConfig().GetServiceName()
	if name == "" {
		name = c.GetName()
	}
	cla := &endpointv3.ClusterLoadAssignment{ClusterName: name}
	var lbs []*endpointv3.LbEndpoint
	for _, e := range eps.Endpoints(name, "", port) {
		health := corev3.HealthStatus_HEALTHY
		if !e.Ready {
			health = corev3.HealthStatus_UNHEALTHY
		}
		lbs = append(lbs, &endpointv3.LbEndpoint{
			HealthStatus: health,
			HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
				Address: &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
					Address: e.Address, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: e.Port}}}}}},
		})
	}
	if len(lbs) > 0 {
		// One locality, named and weighted: gRPC drops localities without.
		cla.Endpoints = []*endpointv3.LocalityLbEndpoints{{
			Locality:            &corev3.Locality{Region: "kubernetes"},
			LoadBalancingWeight: wrapperspb.UInt32(1),
			LbEndpoints:         lbs,
		}}
	}
	return cla
}

// Group returns the node group of a node: its cluster, or else its id up to
// the first "~" or ".".
func Group(cluster, id string) string {
	if cluster != "" {
		return cluster
	}
	if i := strings.IndexAny(id, "~."); i >= 0 {
		return id[:i]
	}
	return id
}
