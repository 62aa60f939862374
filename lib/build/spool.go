package build

import (
	"fmt"
	"os"
	"sync/atomic"
)

// A Spool holds the JSON of a build's objects and resources in a temporary
// file instead of in memory, so that the memory of a build does not grow
// with the size of the tree: each object keeps only where its JSON is, and
// reads it back when it is rendered (from the page cache, on any machine
// with the memory to spare). It is safe for concurrent use.
type Spool struct {
	f    *os.File
	size atomic.Int64
}

// NewSpool creates a spool in dir, or in the default directory for
// temporary files if dir is "". Its file is removed at once where the
// system allows it, so that nothing is left behind however the process
// ends; Close releases it.
func NewSpool(dir string) (*Spool, error) {
	f, err := os.CreateTemp(dir, ".svccfg-spool-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) // fails where open files cannot be removed: Close does it
	return &Spool{f: f}, nil
}

// Close closes and removes the spool's file.
func (s *Spool) Close() error {
	err := s.f.Close()
	os.Remove(s.f.Name())
	return err
}

// put writes data to the spool and returns where it is.
func (s *Spool) put(data []byte) (spooled, error) {
	n := int64(len(data))
	off := s.size.Add(n) - n
	if _, err := s.f.WriteAt(data, off); err != nil {
		return spooled{}, fmt.Errorf("writing to the spool: %w", err)
	}
	return spooled{s: s, off: off, n: len(data)}, nil
}

// spooled is where a spool holds some JSON; the zero value holds none.
type spooled struct {
	s   *Spool
	off int64
	n   int
}

// read returns the JSON.
func (p spooled) read() ([]byte, error) {
	data := make([]byte, p.n)
	if _, err := p.s.f.ReadAt(data, p.off); err != nil {
		return nil, fmt.Errorf("reading the spool: %w", err)
	}
	return data, nil
}

// spool moves the JSON of every object and resource of out into s.
func (out *jobOutput) spool(s *Spool) error {
	for _, it := range out.items {
		var err error
		switch {
		case it.obj != nil && it.obj.json != nil:
			it.obj.spool, err = s.put(it.obj.json)
			it.obj.json = nil
		case it.res != nil && it.res.json != nil:
			it.res.spool, err = s.put(it.res.json)
			it.res.json = nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}
