package eval_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/load"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// secret is what the file outside the config root holds: it must never
// reach an evaluation's results, errors or print output.
const secret = "svccfg-fuzz-secret-5c1d"

// Limits of one evaluation under the fuzzer.
const (
	fuzzSteps   = 100_000
	fuzzTimeout = 2 * time.Second
	fuzzGrace   = 5 * time.Second // for a busy machine, and a slow step under the fuzzer's instrumentation
	fuzzMemory  = 1 << 30         // heap bytes after which an evaluation is cancelled
)

// fuzzTree lays out a config root under dir, beside a directory outside it
// that the root reaches only through escapes: a load of "..", a symbolic
// link to a file and one to a directory. It returns the root.
func fuzzTree(f *testing.F, dir string) string {
	common, err := os.ReadFile(filepath.Join("..", "..", "examples", "multi-service", "lib", "common.star"))
	if err != nil {
		f.Fatal(err)
	}
	outside := "print(\"" + secret + "\")\nSECRET = \"" + secret + "\"\nLIST = [SECRET]\n\ndef main(ctx):\n    fail(SECRET)\n"
	files := map[string]string{
		"outside/secret.star":  outside,
		"outside/lib.star":     outside,
		"root/lib.star":        "VALUE = \"lib\"\nLIST = [1, 2]\n\ndef helper(x):\n    return \"%s-helper\" % x\n",
		"root/lib/common.star": string(common),
		"root/sub/deep.star":   "load(\"../lib.star\", \"helper\")\n\ndef deep():\n    return service(name = helper(\"deep\"), owner = \"o\", image = \"i:1\")\n",
		"root/main.star":       "",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	root := filepath.Join(dir, "root")
	for link, target := range map[string]string{"link.star": "../outside/secret.star", "linkdir": "../outside"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			f.Fatal(err)
		}
	}
	return root
}

// FuzzEval evaluates arbitrary bytes as the configuration file main.star,
// in a config root that holds a library and escapes to a directory outside
// it. Whatever the input, the evaluation ends within its deadline, in
// results or in errors that are all positioned in files under the root or
// in the standard library; nothing from outside the root is ever read; and
// evaluating the same input again gives the same errors, output and
// results. A panic fails the fuzz test on its own. (FuzzBuild in lib/build
// covers the rest of the pipeline.)
func FuzzEval(f *testing.F) {
	std, err := eval.DefaultStdlib()
	if err != nil {
		f.Fatal(err)
	}
	dir, err := filepath.EvalSymlinks(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	root := fuzzTree(f, dir)
	main := filepath.Join(root, "main.star")
	f.Fuzz(func(t *testing.T, src []byte) {
		// Inputs run one at a time in each process, so they share main.star.
		if err := os.WriteFile(main, src, 0o644); err != nil {
			t.Fatal(err)
		}
		first := evalOnce(t, std, root, main)
		if first.interrupted() || first.took > fuzzTimeout/2 {
			return // a second evaluation might be interrupted, or take too long
		}
		second := evalOnce(t, std, root, main)
		if first.err != second.err || first.stderr != second.stderr || !first.sameResults(second) {
			t.Errorf("two evaluations of %q differ:\n%s\n%s", src, first, second)
		}
	})
}

// An outcome is what one evaluation produced.
type outcome struct {
	results []eval.Result
	err     string
	stderr  string
	took    time.Duration
}

func (o outcome) String() string {
	return "error: " + o.err + "\nstderr: " + o.stderr
}

// interrupted reports whether the evaluation was stopped by its deadline
// or the memory limit, which depend on the machine.
func (o outcome) interrupted() bool {
	return strings.Contains(o.err, "evaluation took longer than") || strings.Contains(o.err, "fuzz memory limit")
}

func (o outcome) sameResults(p outcome) bool {
	if len(o.results) != len(p.results) {
		return false
	}
	for i, r := range o.results {
		q := p.results[i]
		if r.Kind != q.Kind || r.Name != q.Name || r.Namespace != q.Namespace || r.Pos != q.Pos ||
			!sameMessages(r.Objects, q.Objects) || !sameMessages(r.Envoy, q.Envoy) {
			return false
		}
	}
	return true
}

func sameMessages(a, b []proto.Message) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !proto.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// evalOnce evaluates main with a new evaluator and checks the properties
// that do not need a second evaluation.
func evalOnce(t *testing.T, std *eval.Stdlib, root, main string) outcome {
	ev := eval.New(std, root, eval.Options{
		Vars:     map[string]string{"cluster": "east", "environment": "staging", "namespace": "fuzz"},
		MaxSteps: fuzzSteps,
		Timeout:  fuzzTimeout,
		Cwd:      root,
	})
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	go watchHeap(ctx, cancel)
	var stderr bytes.Buffer
	start := time.Now()
	results, err := ev.EvalFile(ctx, main, &stderr)
	took := time.Since(start)
	// The property: no input may hang past the deadline (with a
	// wide margin for a busy machine; this is not a speed check).
	if took > fuzzTimeout+fuzzGrace {
		t.Errorf("evaluation took %s, past its deadline of %s (error: %v)", took, fuzzTimeout, err)
	}
	o := outcome{results: results, stderr: stderr.String(), took: took}
	if err != nil {
		o.err = err.Error()
		checkPositioned(t, err, root)
	}
	leaks := []string{o.err, o.stderr}
	for _, r := range results {
		leaks = append(leaks, r.Name, r.Namespace)
		for _, m := range append(append([]proto.Message(nil), r.Objects...), r.Envoy...) {
			leaks = append(leaks, prototext.Format(m))
		}
	}
	for _, s := range leaks {
		if strings.Contains(s, secret) {
			t.Fatalf("the evaluation read a file outside the config root:\n%s", s)
		}
	}
	return o
}

// checkPositioned checks that err is one or more positioned errors, each at
// a file under root or in the standard library, as are its callers.
func checkPositioned(t *testing.T, err error, root string) {
	var (
		list diag.ErrorList
		one  *diag.Error
	)
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = diag.ErrorList{one}
	default:
		t.Fatalf("error without a position: %v", err)
	}
	for _, e := range list {
		if !e.Pos.IsValid() {
			t.Errorf("error without a position: %v", e)
		}
		positions := []diag.Position{e.Pos}
		for _, fr := range e.Stack {
			positions = append(positions, fr.Pos)
		}
		for _, p := range positions {
			if p.IsValid() && !strings.HasPrefix(p.File, load.StdlibPrefix) && !strings.HasPrefix(p.File, root+string(filepath.Separator)) {
				t.Errorf("error positioned outside the config root: %v", e)
			}
		}
	}
}

// errHeap cancels an evaluation whose heap grows past fuzzMemory, as
// svccfg build's --max-memory does, so that the fuzzer is not killed.
var errHeap = errors.New("fuzz memory limit")

// watchHeap cancels ctx with errHeap when the heap grows past fuzzMemory,
// until ctx is done.
func watchHeap(ctx context.Context, cancel context.CancelCauseFunc) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > fuzzMemory {
				cancel(errHeap)
				return
			}
		}
	}
}
