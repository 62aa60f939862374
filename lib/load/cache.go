package load

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"go.starlark.net/starlark"
)

// An ExecFunc executes the source of the module with canonical name name on
// thread and returns its globals.
type ExecFunc func(thread *starlark.Thread, name string, src []byte) (starlark.StringDict, error)

// A Cache loads modules through a FileReader and keeps each module's
// globals, frozen, so that a module loaded by many files runs once. It is
// safe for concurrent use by many threads: loads are serialized (a thread
// may load again while loading, for nested loads), while the code that
// calls them runs in parallel.
type Cache struct {
	reader  FileReader
	exec    ExecFunc
	mu      sync.Mutex // held by the thread whose load depth is > 0
	modules map[string]*module
	edges   map[string][]string // canonical name -> the modules it loads
}

type module struct {
	globals starlark.StringDict
	err     error
	loading bool
}

// NewCache returns a cache that reads files with reader and runs them with exec.
func NewCache(reader FileReader, exec ExecFunc) *Cache {
	return &Cache{reader: reader, exec: exec, modules: make(map[string]*module), edges: make(map[string][]string)}
}

// Add records globals as the module with a canonical name, which then
// loads without being read or executed.
func (c *Cache) Add(canonical string, globals starlark.StringDict) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.modules[canonical] = &module{globals: globals}
}

// Exec reads and executes the file with a canonical name on thread, without
// caching it: the entry point of an evaluation. It runs the file with exec,
// or with the cache's own ExecFunc if exec is nil.
func (c *Cache) Exec(thread *starlark.Thread, canonical string, exec ExecFunc) (starlark.StringDict, error) {
	src, err := c.reader.ReadFile(Context(thread), canonical)
	if err != nil {
		return nil, err
	}
	if exec == nil {
		exec = c.exec
	}
	return exec(thread, canonical, src)
}

const depthKey = "svccfg.load.depth"

// lock takes c.mu unless thread already holds it.
func (c *Cache) lock(thread *starlark.Thread) {
	depth, _ := thread.Local(depthKey).(int)
	if depth == 0 {
		c.mu.Lock()
	}
	thread.SetLocal(depthKey, depth+1)
}

func (c *Cache) unlock(thread *starlark.Thread) {
	depth := thread.Local(depthKey).(int) - 1
	thread.SetLocal(depthKey, depth)
	if depth == 0 {
		c.mu.Unlock()
	}
}

// Load is a [starlark.Thread] Load function: it returns the globals of the
// module called name, loaded from the file that thread is executing.
func (c *Cache) Load(thread *starlark.Thread, name string) (starlark.StringDict, error) {
	ctx := Context(thread)
	from := thread.CallFrame(0).Pos.Filename()
	canonical, err := c.reader.Resolve(ctx, name, from)
	if err != nil {
		return nil, err
	}
	c.lock(thread)
	defer c.unlock(thread)
	if !slices.Contains(c.edges[from], canonical) {
		c.edges[from] = append(c.edges[from], canonical)
	}
	return c.LoadFile(thread, canonical)
}

// Deps returns the sorted canonical names of every module that the file
// with a canonical name loaded, directly or through other modules, as far
// as it has been executed.
func (c *Cache) Deps(canonical string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{canonical: true}
	stack := []string{canonical}
	var deps []string
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range c.edges[n] {
			if !seen[d] {
				seen[d] = true
				deps = append(deps, d)
				stack = append(stack, d)
			}
		}
	}
	slices.Sort(deps)
	return deps
}

// LoadFile returns the globals of the module with a canonical name,
// executing it on thread the first time.
func (c *Cache) LoadFile(thread *starlark.Thread, canonical string) (starlark.StringDict, error) {
	c.lock(thread)
	defer c.unlock(thread)
	if m, ok := c.modules[canonical]; ok {
		if m.loading {
			return nil, fmt.Errorf("cycle in load graph")
		}
		return m.globals, m.err
	}
	m := &module{loading: true}
	c.modules[canonical] = m
	src, err := c.reader.ReadFile(Context(thread), canonical)
	if err == nil {
		m.globals, err = c.exec(thread, canonical, src)
	}
	m.globals.Freeze()
	m.err, m.loading = err, false
	return m.globals, m.err
}

// contextKey is the thread-local key of the evaluation's context.
const contextKey = "svccfg.context"

// SetContext records ctx as the context of the evaluation running on thread.
func SetContext(thread *starlark.Thread, ctx context.Context) {
	thread.SetLocal(contextKey, ctx)
}

// Context returns the context recorded by [SetContext], or context.Background.
func Context(thread *starlark.Thread) context.Context {
	if ctx, ok := thread.Local(contextKey).(context.Context); ok {
		return ctx
	}
	return context.Background()
}
