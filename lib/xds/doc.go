// Package xds is the control-plane phase: it serves the Envoy resources
// that [build.Build] compiles to Envoy proxies and proxyless gRPC clients
// over aggregated xDS (ADS), on go-control-plane's snapshot cache.
//
// A node's group is the service it runs as: node.cluster ("NAME" or
// "NAME.NAMESPACE"), or else node.id up to the first "~" or ".". The
// snapshot of a service S holds S's own sidecar resources (Listener
// S-ingress, Cluster S-local, Listener and RouteConfiguration S-egress)
// and, for each service D that S calls, Listener D, RouteConfiguration D,
// D's Clusters and their ClusterLoadAssignments, whose endpoints come
// from an [EndpointSource] (EndpointSlices in a cluster, see
// [NewEndpointSliceSource]).
//
// Every rebuild is validated (each resource's ValidateAll, the snapshot's
// consistency) before it replaces the served snapshots; an invalid
// configuration is reported and the old snapshots stay. A node that NACKs
// a version is set back to its last accepted version, and nothing more is
// sent to it until the configuration or the endpoints change.
//
// End-to-end tests against a real kube-apiserver cannot use 127.0.0.1 as
// an endpoint (the apiserver rejects loopback addresses in
// EndpointSlices): e2e/mesh_test.go creates a network namespace ("ip netns
// add"), whose own loopback interface holds 198.51.100.x/32 addresses,
// and opens the backends' listeners and the client's connections to them
// from a thread inside it (setns(2)); the control plane and the apiserver
// stay on the host's 127.0.0.1. The unit tests feed endpoints from a
// [StaticEndpoints] instead.
package xds
