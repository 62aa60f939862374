package xds

import (
	"context"

	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// EndpointSlices is the production [EndpointSource]: the EndpointSlices of
// a cluster, watched through a client-go informer and indexed by their
// kubernetes.io/service-name label.
type EndpointSlices struct {
	factory  informers.SharedInformerFactory
	informer cache.SharedIndexInformer
}

const byService = "service"

// NewEndpointSliceSource returns an EndpointSlices watching every
// namespace of the cluster that client reaches.
func NewEndpointSliceSource(client kubernetes.Interface) *EndpointSlices {
	f := informers.NewSharedInformerFactory(client, 0)
	inf := f.Discovery().V1().EndpointSlices().Informer()
	inf.AddIndexers(cache.Indexers{byService: func(obj any) ([]string, error) {
		s := obj.(*discoveryv1.EndpointSlice)
		name := s.Labels[discoveryv1.LabelServiceName]
		if name == "" {
			return nil, nil
		}
		return []string{name + "." + s.Namespace}, nil
	}})
	return &EndpointSlices{factory: f, informer: inf}
}

// Endpoints returns the addresses of the Service key's slices, with the
// slice port named portName, or else the one numbered port; an endpoint is
// ready unless its conditions say it is not.
func (e *EndpointSlices) Endpoints(key, portName string, port uint32) []Endpoint {
	objs, _ := e.informer.GetIndexer().ByIndex(byService, key)
	var out []Endpoint
	for _, o := range objs {
		s := o.(*discoveryv1.EndpointSlice)
		if s.AddressType == discoveryv1.AddressTypeFQDN {
			continue
		}
		p, ok := slicePort(s, portName, port)
		if !ok {
			continue
		}
		for _, ep := range s.Endpoints {
			ready := ep.Conditions.Ready == nil || *ep.Conditions.Ready
			for _, a := range ep.Addresses {
				out = append(out, Endpoint{Address: a, Port: p, Ready: ready})
			}
		}
	}
	return out
}

func slicePort(s *discoveryv1.EndpointSlice, name string, number uint32) (uint32, bool) {
	for _, p := range s.Ports {
		if p.Port != nil && (name != "" && p.Name != nil && *p.Name == name) {
			return uint32(*p.Port), true
		}
	}
	for _, p := range s.Ports {
		if p.Port != nil && (uint32(*p.Port) == number || len(s.Ports) == 1) {
			return uint32(*p.Port), true
		}
	}
	return 0, false
}

// Run starts the informer and calls changed after every change, until ctx
// is done.
func (e *EndpointSlices) Run(ctx context.Context, changed func()) error {
	call := func(any) { changed() }
	e.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: call, DeleteFunc: call,
		UpdateFunc: func(any, any) { changed() }})
	e.factory.Start(ctx.Done())
	<-ctx.Done()
	e.factory.Shutdown()
	return nil
}
