package xds

import (
	"context"
	"slices"
	"sync"
)

// An Endpoint is one address of a Kubernetes Service's backends.
type Endpoint struct {
	Address string
	Port    uint32
	Ready   bool
}

// An EndpointSource gives the endpoints of Kubernetes Services, by
// "NAME.NAMESPACE" (the service_name of an EDS Cluster), and calls the
// function given to Run whenever they change.
type EndpointSource interface {
	// Endpoints returns the endpoints of the Service key ("NAME.NAMESPACE")
	// whose port is called portName (or, if none is, numbered port).
	Endpoints(key, portName string, port uint32) []Endpoint
	// Run watches the endpoints until ctx is done, calling changed after
	// each change.
	Run(ctx context.Context, changed func()) error
}

// StaticEndpoints is an [EndpointSource] holding a fixed map, for tests;
// its Set method changes it.
type StaticEndpoints struct {
	mu      sync.Mutex
	m       map[string][]Endpoint
	changed func()
}

// NewStaticEndpoints returns a StaticEndpoints holding m, by
// "NAME.NAMESPACE"; the ports of its endpoints are used as they are.
func NewStaticEndpoints(m map[string][]Endpoint) *StaticEndpoints {
	return &StaticEndpoints{m: m}
}

// Endpoints returns the endpoints of key.
func (s *StaticEndpoints) Endpoints(key, _ string, _ uint32) []Endpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.m[key])
}

// Set replaces the endpoints of key.
func (s *StaticEndpoints) Set(key string, eps []Endpoint) {
	s.mu.Lock()
	s.m[key] = eps
	f := s.changed
	s.mu.Unlock()
	if f != nil {
		f()
	}
}

// Run records changed and waits for ctx.
func (s *StaticEndpoints) Run(ctx context.Context, changed func()) error {
	s.mu.Lock()
	s.changed = changed
	s.mu.Unlock()
	<-ctx.Done()
	return nil
}
