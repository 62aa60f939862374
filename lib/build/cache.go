package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/load"
)

// A Cache is a content-addressed store of what evaluating a configuration
// file produced, so that a build skips the files that did not change. An
// entry is keyed by the svccfg binary (its version and the executable file,
// which embeds the standard library), the file's path and contents, the
// variables, the step limit and the path of the root's prelude; it records
// the files the evaluation loaded, the prelude and the files it loaded
// among them, with their contents' hashes, and is used only while all of
// them still match. Failed evaluations are not cached. A Cache is safe for concurrent use.
type Cache struct {
	dir    string
	salt   [32]byte
	hashes sync.Map // path -> [32]byte, the contents' hash, computed once per build
	warn   sync.Once
}

// OpenCache returns the cache in dir, creating the directory if needed.
func OpenCache(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Cache{dir: dir, salt: fingerprint()}, nil
}

// fingerprint identifies the running svccfg: its module version and the
// size and time of its executable, so that any rebuilt binary (and with it
// any change to the standard library or the code) starts a new cache.
func fingerprint() [32]byte {
	h := sha256.New()
	h.Write([]byte("svccfg cache 1\n"))
	if info, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintln(h, info.Main.Path, info.Main.Version, info.Main.Sum, info.GoVersion)
		for _, s := range info.Settings {
			fmt.Fprintln(h, s.Key, s.Value)
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			fmt.Fprintln(h, exe, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// hash returns the hash of the contents of the file at path, reading it at
// most once per cache.
func (c *Cache) hash(path string) ([32]byte, error) {
	if h, ok := c.hashes.Load(path); ok {
		return h.([32]byte), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return [32]byte{}, err
	}
	h := sha256.Sum256(data)
	c.hashes.Store(path, h)
	return h, nil
}

// key returns the key of the evaluation of file with vars and maxSteps, in
// the config set configSet, under the prelude at the path prelude (or "").
// The prelude's contents, like those of the files loaded, are checked
// through the entry's dependencies.
func (c *Cache) key(file string, vars map[string]string, maxSteps uint64, configSet, prelude string) ([32]byte, error) {
	content, err := c.hash(file)
	if err != nil {
		return [32]byte{}, err
	}
	h := sha256.New()
	h.Write(c.salt[:])
	fmt.Fprintf(h, "%q %x %d %q %q\n", file, content, maxSteps, configSet, prelude)
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		fmt.Fprintf(h, "%q=%q\n", k, vars[k])
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum, nil
}

func (c *Cache) path(key [32]byte) string {
	hex := fmt.Sprintf("%x", key)
	return filepath.Join(c.dir, hex[:2], hex[2:])
}

// get returns the cached output of an evaluation, if a valid entry exists.
func (c *Cache) get(key [32]byte) (*jobOutput, bool) {
	data, err := os.ReadFile(c.path(key))
	if err != nil {
		return nil, false
	}
	out, deps, err := decodeEntry(data)
	if err != nil {
		return nil, false
	}
	for _, d := range deps {
		if h, err := c.hash(d.path); err != nil || h != d.hash {
			return nil, false
		}
	}
	return out, true
}

// put stores the output of a successful evaluation that loaded deps.
func (c *Cache) put(key [32]byte, out *jobOutput, deps []string) {
	var ds []dep
	for _, d := range deps {
		if strings.HasPrefix(d, load.StdlibPrefix) {
			continue // part of the binary, hence of the key
		}
		h, err := c.hash(d)
		if err != nil {
			return // it changed under us: do not cache
		}
		ds = append(ds, dep{d, h})
	}
	entry, err := encodeEntry(out, ds)
	if err != nil {
		return // an object that does not encode: leave it to the build
	}
	if err := writeAtomic(c.path(key), entry); err != nil {
		c.warn.Do(func() {
			fmt.Fprintf(os.Stderr, "svccfg: cache %s: %v (continuing without storing results)\n", c.dir, unwrapPathError(err))
		})
	}
}

type dep struct {
	path string
	hash [32]byte
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// The entry format: a magic line, then length-prefixed fields. An entry
// keeps each object and resource as its identity and JSON; its typed form
// is decoded from the JSON when asked for ([Object.Typed],
// [Resource.Message]).
const entryMagic = "svccfg-cache-entry 3\n"

var errCorrupt = errors.New("corrupt cache entry")

func encodeEntry(out *jobOutput, deps []dep) ([]byte, error) {
	e := &encoder{buf: []byte(entryMagic)}
	e.uint(uint64(len(deps)))
	for _, d := range deps {
		e.str(d.path)
		e.buf = append(e.buf, d.hash[:]...)
	}
	e.bytes(out.stderr.Bytes())
	e.uint(uint64(len(out.items)))
	for _, it := range out.items {
		e.str(it.key.namespace)
		e.str(it.key.name)
		e.str(it.what)
		e.str(it.pos.File)
		e.uint(uint64(it.pos.Line))
		e.uint(uint64(it.pos.Col))
		e.uint(uint64(len(it.stack)))
		for _, f := range it.stack {
			e.str(f.Pos.File)
			e.uint(uint64(f.Pos.Line))
			e.uint(uint64(f.Pos.Col))
			e.str(f.Func)
		}
		if it.obj != nil {
			e.uint(0)
			e.str(it.obj.Group)
			e.str(it.obj.Version)
			e.str(it.obj.Kind)
			e.str(it.obj.Namespace)
			e.str(it.obj.Name)
			data, err := it.obj.JSON()
			if err != nil {
				return nil, err
			}
			e.bytes(data)
		} else {
			e.uint(1)
			e.str(it.res.Type)
			e.str(it.res.Name)
			data, err := it.res.JSON()
			if err != nil {
				return nil, err
			}
			e.bytes(data)
		}
	}
	return e.buf, nil
}

func decodeEntry(data []byte) (*jobOutput, []dep, error) {
	rest, ok := bytes.CutPrefix(data, []byte(entryMagic))
	if !ok {
		return nil, nil, errCorrupt
	}
	d := &decoder{buf: rest}
	deps := make([]dep, d.uint())
	for i := range deps {
		deps[i].path = d.str()
		copy(deps[i].hash[:], d.n(32))
	}
	out := &jobOutput{}
	out.stderr.Write(d.bytes())
	n := d.uint()
	if d.err != nil || n > uint64(len(data)) {
		return nil, nil, errCorrupt
	}
	out.items = make([]item, n)
	for i := range out.items {
		it := &out.items[i]
		it.key = unitKey{namespace: d.str(), name: d.str()}
		it.what = d.str()
		it.pos = diag.Position{File: d.str(), Line: int(d.uint()), Col: int(d.uint())}
		if frames := d.uint(); frames > 0 && frames <= uint64(len(d.buf)) {
			it.stack = make([]diag.Frame, frames)
			for j := range it.stack {
				it.stack[j] = diag.Frame{Pos: diag.Position{File: d.str(), Line: int(d.uint()), Col: int(d.uint())}, Func: d.str()}
			}
		} else if frames > 0 {
			d.err = errCorrupt
		}
		switch d.uint() {
		case 0:
			it.obj = &Object{ID: ID{Group: d.str(), Version: d.str(), Kind: d.str(), Namespace: d.str(), Name: d.str()}, json: d.bytes()}
		case 1:
			it.res = &Resource{Type: d.str(), Name: d.str(), json: d.bytes()}
		default:
			d.err = errCorrupt
		}
	}
	if d.err != nil || len(d.buf) != 0 {
		return nil, nil, errCorrupt
	}
	return out, deps, nil
}

type encoder struct{ buf []byte }

func (e *encoder) uint(v uint64)  { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) bytes(b []byte) { e.uint(uint64(len(b))); e.buf = append(e.buf, b...) }
func (e *encoder) str(s string)   { e.uint(uint64(len(s))); e.buf = append(e.buf, s...) }

type decoder struct {
	buf []byte
	err error
}

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.err, d.buf = errCorrupt, nil
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) n(k uint64) []byte {
	if d.err != nil || k > uint64(len(d.buf)) {
		d.err, d.buf = errCorrupt, nil
		return nil
	}
	b := d.buf[:k:k]
	d.buf = d.buf[k:]
	return b
}

func (d *decoder) bytes() []byte { return d.n(d.uint()) }
func (d *decoder) str() string   { return string(d.n(d.uint())) }
