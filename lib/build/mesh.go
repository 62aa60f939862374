package build

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/envoy"
	"google.golang.org/protobuf/proto"
)

// routeConfigurationType is the type of the Envoy resource through which a
// service's callers reach it.
const routeConfigurationType = "envoy.config.route.v3.RouteConfiguration"

// EgressSuffix ends the name of the RouteConfiguration of a service's
// calls, which its sidecar's egress listener routes with.
const EgressSuffix = "-egress"

// mesh checks that every service a service calls is in the build and
// serves HTTP, and adds to each caller's unit the RouteConfiguration
// NAME-egress of its calls: the virtual hosts of the RouteConfigurations
// of the services it calls, in the order of its calls.
func (b *builder) mesh() error {
	var errs diag.ErrorList
	for _, c := range b.callers {
		var hosts []*routev3.VirtualHost
		for _, call := range c.calls {
			name, ns, _ := strings.Cut(call, ".")
			callee, ok := b.units[unitKey{ns, name}]
			if !ok {
				callee, ok = b.peer(name, ns)
			}
			if !ok {
				errs = append(errs, &diag.Error{Pos: c.pos, Stack: c.stack, Msg: c.what + ": calls: " + b.unknownService(name, ns), Err: errUnknownCallee})
				continue
			}
			route := callee.resource(routeConfigurationType, name)
			if route == nil {
				errs = append(errs, &diag.Error{Pos: c.pos, Stack: c.stack,
					Msg: fmt.Sprintf("%s: calls: service %q in namespace %q serves no HTTP, h2c or gRPC port, which Envoy could route to", c.what, name, ns)})
				continue
			}
			if b.opts.KubernetesOnly {
				continue
			}
			m, err := route.Message()
			if err != nil {
				return err
			}
			for _, vh := range m.(*routev3.RouteConfiguration).GetVirtualHosts() {
				hosts = append(hosts, proto.Clone(vh).(*routev3.VirtualHost))
			}
		}
		if b.opts.KubernetesOnly || len(errs) > 0 {
			continue
		}
		name := c.key.name + EgressSuffix
		rc := &routev3.RouteConfiguration{Name: name, IgnorePortInHostMatching: true, VirtualHosts: hosts}
		if err := envoy.Validate(rc); err != nil {
			errs = append(errs, &diag.Error{Pos: c.pos, Stack: c.stack, Msg: fmt.Sprintf("%s: RouteConfiguration %q: %v", c.what, name, err)})
			continue
		}
		res := &Resource{Type: routeConfigurationType, Name: name, msg: rc}
		if !b.opts.Typed && !b.opts.EnvoyMessages {
			data, err := envoy.Marshal(rc)
			if err != nil {
				return err
			}
			res.json, res.msg = data, nil
		}
		if err := b.add(item{key: c.key, what: c.what, pos: c.pos, stack: c.stack, res: res}); err != nil {
			errs = append(errs, err.(*diag.Error))
		}
	}
	return errs.Err()
}

// errUnknownCallee marks the error of a call to a service that is not in
// the build (see [CallsElsewhere]).
var errUnknownCallee = errors.New("no such service in this build")

// CallsElsewhere reports whether err holds an error of a service's call to
// a service that is not in the build, which another file of the config
// root may define: a build of that root, as [Options.Peers], tells.
func CallsElsewhere(err error) bool {
	var list diag.ErrorList
	if !errors.As(err, &list) {
		var one *diag.Error
		if !errors.As(err, &one) {
			return false
		}
		list = diag.ErrorList{one}
	}
	for _, e := range list {
		if e.Err == errUnknownCallee {
			return true
		}
	}
	return false
}

// unknownService says that no service name is in namespace ns, naming the
// nearest one there.
func (b *builder) unknownService(name, ns string) string {
	var names []string
	for k, u := range b.units {
		if k.namespace == ns && u.resource(routeConfigurationType, k.name) != nil {
			names = append(names, k.name)
		}
	}
	for _, u := range b.opts.Peers {
		if u.Namespace == ns && u.resource(routeConfigurationType, u.Name) != nil {
			names = append(names, u.Name)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	msg := fmt.Sprintf("no service %q in namespace %q in this build", name, ns)
	if near := diag.Nearest(name, names); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	return msg
}

// peer returns the unit of Options.Peers called name in namespace ns.
func (b *builder) peer(name, ns string) (*Unit, bool) {
	for _, u := range b.opts.Peers {
		if u.Name == name && u.Namespace == ns {
			return u, true
		}
	}
	return nil, false
}

// resource returns the unit's Envoy resource of type typ called name, or nil.
func (u *Unit) resource(typ, name string) *Resource {
	for i := range u.Envoy {
		if r := &u.Envoy[i]; r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}
