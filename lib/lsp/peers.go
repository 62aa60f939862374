package lsp

import (
	"github.com/svccfg/svccfg/lib/build"
)

// A peerSet is what the files of one config root build: the services that
// a file's calls may name although another file defines them. svccfg build
// checks calls against everything it builds; the server builds one file,
// so it checks that file's calls against the services of the whole root,
// built once (with build.Options.Partial, so that a broken file elsewhere
// hides only its own services) and again after a file of the root is saved.
type peerSet struct {
	done  chan struct{} // closed when peers is set
	peers []peer
}

// A peer is a service of a peerSet and the file whose main made it.
type peer struct {
	unit *build.Unit // only its name, namespace and RouteConfiguration
	file string
}

// peerSet returns the peer set of the config root dir, starting its build
// if there is none.
func (s *Server) peerSet(dir string) *peerSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.peerSets[dir]; p != nil {
		return p
	}
	p := &peerSet{done: make(chan struct{})}
	s.peerSets[dir] = p
	overlay := make(map[string][]byte)
	for _, d := range s.files {
		overlay[d.path] = []byte(d.text)
	}
	opts := build.Options{Vars: s.opts.Vars, MaxSteps: s.opts.MaxSteps, Timeout: s.opts.Timeout,
		Cwd: dir, Duplicates: true, Partial: true, Overlay: overlay}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(p.done)
		out, _ := build.Build(s.ctx, []string{dir}, opts)
		if out == nil {
			return
		}
		for _, u := range out.Units {
			for _, r := range u.Envoy {
				if r.Type == routeConfigurationType && r.Name == u.Name {
					keep := &build.Unit{Name: u.Name, Namespace: u.Namespace, Pos: u.Pos, Envoy: []build.Resource{r}}
					p.peers = append(p.peers, peer{unit: keep, file: r.Source.Origin().File})
				}
			}
		}
	}()
	return p
}

// readyPeers returns the peer set of dir if it is built, or nil.
func (s *Server) readyPeers(dir string) *peerSet {
	s.mu.Lock()
	p := s.peerSets[dir]
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	select {
	case <-p.done:
		return p
	default:
		return nil
	}
}

// forgetPeers drops the peer set of the config root that holds path, so
// that the next diagnosis that needs it builds it again.
func (s *Server) forgetPeers(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for dir := range s.peerSets {
		if under(path, dir) {
			delete(s.peerSets, dir)
		}
	}
}

// units returns the peers' units but those that file makes, which the
// build of its current text replaces.
func (p *peerSet) units(file string) []*build.Unit {
	var us []*build.Unit
	for _, pr := range p.peers {
		if pr.file != file {
			us = append(us, pr.unit)
		}
	}
	return us
}

// routeConfigurationType is the type of the Envoy resource through which a
// service's callers reach it.
const routeConfigurationType = "envoy.config.route.v3.RouteConfiguration"
