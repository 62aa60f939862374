package lint

import (
	"slices"
	"strings"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/svccfg/svccfg/lib/build"
)

// A meshRoute is what lint knows of a service on the mesh: its own route
// (how its callers reach it) and the routes of its calls.
type meshRoute struct {
	name    string
	own     *resource // RouteConfiguration NAME
	egress  *resource // RouteConfiguration NAME-egress, or nil
	timeout time.Duration
	retries uint32
}

// meshRoutes returns the services of the build that are on the mesh, by
// name, from their RouteConfigurations.
func meshRoutes(p *pass) map[string]*meshRoute {
	out := make(map[string]*meshRoute)
	get := func(name string) *meshRoute {
		if out[name] == nil {
			out[name] = &meshRoute{name: name}
		}
		return out[name]
	}
	for i := range p.resources {
		r := &p.resources[i]
		rc, ok := r.msg.(*routev3.RouteConfiguration)
		if !ok {
			continue
		}
		if caller, ok := strings.CutSuffix(r.name, build.EgressSuffix); ok {
			get(caller).egress = r
			continue
		}
		m := get(r.name)
		m.own = r
		m.timeout, m.retries = routeLimits(rc)
	}
	return out
}

// routeLimits returns the longest route timeout of rc (Envoy's default of
// 15s where a route sets none) and its most retries.
func routeLimits(rc *routev3.RouteConfiguration) (time.Duration, uint32) {
	var timeout time.Duration
	var retries uint32
	for _, vh := range rc.GetVirtualHosts() {
		for _, route := range vh.GetRoutes() {
			t := 15 * time.Second
			if d := route.GetRoute().GetTimeout(); d != nil {
				t = d.AsDuration()
			}
			timeout = max(timeout, t)
			retries = max(retries, route.GetRoute().GetRetryPolicy().GetNumRetries().GetValue())
		}
	}
	return timeout, retries
}

// callees returns the services that the egress routes of m reach, in order.
func (m *meshRoute) callees() []string {
	if m.egress == nil {
		return nil
	}
	var out []string
	for _, vh := range m.egress.msg.(*routev3.RouteConfiguration).GetVirtualHosts() {
		if !slices.Contains(out, vh.GetName()) {
			out = append(out, vh.GetName())
		}
	}
	return out
}

// checkMeshTimeouts reports a call whose route may take longer than the
// caller's own route timeout: the caller's callers give up first, so the
// longer wait is wasted.
func checkMeshTimeouts(p *pass) {
	routes := meshRoutes(p)
	for _, name := range sortedKeys(routes) {
		caller := routes[name]
		if caller.own == nil || caller.egress == nil {
			continue
		}
		for _, c := range caller.callees() {
			callee := routes[c]
			if callee == nil || callee.own == nil || callee.timeout <= caller.timeout {
				continue
			}
			p.report(caller.egress.src, args("calls", "timeout"), "service %q calls %q, whose route timeout %s is longer than %q's own %s: its callers give up first; lower %q's timeout or raise %q's",
				caller.name, c, dur(callee.timeout), caller.name, dur(caller.timeout), c, caller.name)
		}
	}
}

// checkMeshRetryCycle reports a cycle of calls in which every call
// retries: each retry of the first call retries the whole cycle again, so
// one failure becomes a storm of requests.
func checkMeshRetryCycle(p *pass) {
	routes := meshRoutes(p)
	reported := make(map[string]bool)
	for _, start := range sortedKeys(routes) {
		// A depth-first search for a path back to start along retrying calls.
		var path []string
		var visit func(name string) bool
		seen := make(map[string]bool)
		visit = func(name string) bool {
			path = append(path, name)
			for _, c := range routes[name].callees() {
				callee := routes[c]
				if callee == nil || callee.retries == 0 {
					continue
				}
				if c == start {
					path = append(path, c)
					return true
				}
				if !seen[c] {
					seen[c] = true
					if visit(c) {
						return true
					}
				}
			}
			path = path[:len(path)-1]
			return false
		}
		if routes[start].own == nil || routes[start].retries == 0 || !visit(start) {
			continue
		}
		key := cycleKey(path)
		if reported[key] {
			continue
		}
		reported[key] = true
		p.report(routes[start].egress.src, args("calls"), "calls retry in a cycle, %s, each retrying: one failure multiplies into a storm of requests; break the cycle or turn retries off on one of its routes",
			strings.Join(path, " → "))
	}
}

// cycleKey names a cycle whichever service it starts from.
func cycleKey(path []string) string {
	c := slices.Clone(path[:len(path)-1])
	slices.Sort(c)
	return strings.Join(c, ",")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
