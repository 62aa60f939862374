package lint

import (
	"fmt"
	"strings"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/svccfg/svccfg/lib/build"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The sane bounds of Envoy settings.
const (
	minConnectTimeout = 10 * time.Millisecond
	maxConnectTimeout = 10 * time.Second
	minRouteTimeout   = 10 * time.Millisecond
	maxRouteTimeout   = 2 * time.Minute
	maxCircuitBreaker = 10000 // connections, pending requests, requests
)

func checkEnvoyTimeouts(p *pass) {
	for _, r := range p.resources {
		switch m := r.msg.(type) {
		case *clusterv3.Cluster:
			if ct := m.GetConnectTimeout(); ct != nil {
				if d := ct.AsDuration(); d < minConnectTimeout || d > maxConnectTimeout {
					p.report(r.src, args("connect_timeout"), "%s: connect timeout %s is outside %s to %s", r, dur(d), dur(minConnectTimeout), dur(maxConnectTimeout))
				}
			}
		case *routev3.RouteConfiguration:
			if strings.HasSuffix(r.name, build.EgressSuffix) {
				continue // the routes of calls, checked where each service is defined
			}
			for _, vh := range m.GetVirtualHosts() {
				for _, route := range vh.GetRoutes() {
					t := route.GetRoute().GetTimeout()
					if t == nil {
						continue // Envoy's default, 15s
					}
					switch d := t.AsDuration(); {
					case d == 0:
						p.report(r.src, args("timeout"), "%s: route timeout 0s turns the timeout off, want %s to %s", r, dur(minRouteTimeout), dur(maxRouteTimeout))
					case d < minRouteTimeout || d > maxRouteTimeout:
						p.report(r.src, args("timeout"), "%s: route timeout %s is outside %s to %s", r, dur(d), dur(minRouteTimeout), dur(maxRouteTimeout))
					}
				}
			}
		}
	}
}

// dur writes d as a configuration writes it: "2m" rather than "2m0s".
func dur(d time.Duration) string {
	switch {
	case d != 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d != 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func checkCircuitBreakers(p *pass) {
	for _, r := range p.resources {
		c, ok := r.msg.(*clusterv3.Cluster)
		if !ok {
			continue
		}
		thresholds := c.GetCircuitBreakers().GetThresholds()
		if len(thresholds) == 0 {
			p.report(r.src, args("circuit_breakers", "max_requests"), "%s has no circuit breakers: set max_connections, max_pending_requests, max_requests and max_retries", r)
		}
		for _, t := range thresholds {
			for _, f := range []struct {
				name  string
				value *wrapperspb.UInt32Value
			}{{"max_connections", t.GetMaxConnections()}, {"max_pending_requests", t.GetMaxPendingRequests()}, {"max_requests", t.GetMaxRequests()}} {
				if f.value != nil && (f.value.Value < 1 || f.value.Value > maxCircuitBreaker) {
					p.report(r.src, args("max_requests", f.name), "%s: circuit breaker %s %d is outside 1 to %d", r, f.name, f.value.Value, maxCircuitBreaker)
				}
			}
			requests := uint32(1024) // Envoy's default
			if v := t.GetMaxRequests(); v != nil {
				requests = v.Value
			}
			if v := t.GetMaxRetries(); v != nil && v.Value > requests {
				p.report(r.src, args("max_retries", "max_requests"), "%s: circuit breaker max_retries %d is more than max_requests %d", r, v.Value, requests)
			}
		}
	}
}
