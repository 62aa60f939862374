package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
)

// A check is what was found, untimed, about whether the programs measured
// at one N do the same work.
type check struct {
	objects       [3]int // Kubernetes objects of svccfg, plain, skycfg
	envoy         [3]int // Envoy resources of svccfg (-o), plain, skycfg
	skycfgSame    bool   // skycfg's stream is byte-identical to svccfg's
	plainCompared bool   // plain's objects were compared with svccfg's JSON
	plainDiffer   int    // objects that differ beyond empty fields
}

var summaryLine = regexp.MustCompile(`(\d+) files, (\d+) Kubernetes objects, (\d+) Envoy resources`)

// checkN runs each program once on tree, writes svccfg's -o output to base,
// and compares what they produced; with deep, it also compares every object
// of the plain floor with svccfg's JSON. Outputs go to files in dir and are
// read back a piece at a time, so that this process stays small (see
// [benchfmt.Measure]).
func checkN(t tools, tree, base, dir string, deep bool) (check, error) {
	var c check
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return c, err
	}
	stream := filepath.Join(dir, "svccfg.yaml")
	if err := output(exec.Command(t.svccfg, "build", tree), stream, nil); err != nil {
		return c, err
	}
	var err error
	if c.objects[0], err = countLines(stream, "kind: "); err != nil {
		return c, err
	}
	if _, err := measure(exec.Command(t.svccfg, "build", "-o", base, tree)); err != nil {
		return c, err
	}
	envoyFiles, err := filepath.Glob(filepath.Join(base, "envoy", "*"))
	if err != nil {
		return c, err
	}
	for _, f := range envoyFiles {
		k, err := countLines(f, "- '@type': ")
		if err != nil {
			return c, err
		}
		c.envoy[0] += k
	}
	plainOut, skyOut := filepath.Join(dir, "plain.jsonl"), filepath.Join(dir, "skycfg.yaml")
	for i, cmd := range []*exec.Cmd{exec.Command(t.plain, tree), exec.Command(t.skycfg, tree)} {
		var stderr bytes.Buffer
		if err := output(cmd, []string{plainOut, skyOut}[i], &stderr); err != nil {
			return c, err
		}
		m := summaryLine.FindSubmatch(stderr.Bytes())
		if m == nil {
			return c, fmt.Errorf("%s: no summary line in %q", cmd.Path, stderr.Bytes())
		}
		c.objects[i+1], _ = strconv.Atoi(string(m[2]))
		c.envoy[i+1], _ = strconv.Atoi(string(m[3]))
	}
	if c.skycfgSame, err = sameFiles(stream, skyOut); err != nil || !deep {
		return c, err
	}
	jsonOut := filepath.Join(dir, "svccfg.json")
	if err := output(exec.Command(t.svccfg, "build", "--format", "json", tree), jsonOut, nil); err != nil {
		return c, err
	}
	c.plainCompared = true
	c.plainDiffer, err = comparePlain(jsonOut, plainOut)
	return c, err
}

// output runs cmd with its stdout in a new file at path, and its stderr in
// stderr if not nil.
func output(cmd *exec.Cmd, path string, stderr *bytes.Buffer) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd.Stdout = f
	if stderr != nil {
		cmd.Stderr = stderr
	}
	if _, err := measure(cmd); err != nil {
		return err
	}
	return f.Close()
}

// countLines returns the number of lines of the file at path that start
// with prefix.
func countLines(path, prefix string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		if bytes.HasPrefix(sc.Bytes(), []byte(prefix)) {
			n++
		}
	}
	return n, sc.Err()
}

// sameFiles reports whether the files at a and b hold the same bytes.
func sameFiles(a, b string) (bool, error) {
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ra, rb := bufio.NewReaderSize(fa, 1<<16), bufio.NewReaderSize(fb, 1<<16)
	bufA, bufB := make([]byte, 1<<16), make([]byte, 1<<16)
	for {
		na, errA := io.ReadFull(ra, bufA)
		nb, errB := io.ReadFull(rb, bufB)
		if !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		if errA != nil || errB != nil {
			if errA == io.ErrUnexpectedEOF || errA == io.EOF {
				return errB == io.ErrUnexpectedEOF || errB == io.EOF, nil
			}
			return false, cmpErr(errA, errB)
		}
	}
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// comparePlain returns how many objects of the plain floor's JSON stream
// (one object a line) differ from the items of svccfg's JSON List, in the
// same order, once null values and empty objects and lists are dropped
// (plain writes no null values, and protobuf has no empty lists; svccfg's
// k8s.AppendJSON no longer writes "strategy": {} or "resources": {}).
func comparePlain(svccfgFile, plainFile string) (int, error) {
	data, err := os.ReadFile(svccfgFile)
	if err != nil {
		return 0, err
	}
	var list struct{ Items []any }
	if err := json.Unmarshal(data, &list); err != nil {
		return 0, err
	}
	f, err := os.Open(plainFile)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	differ, i := 0, 0
	for ; sc.Scan(); i++ {
		var obj any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			return 0, err
		}
		if i >= len(list.Items) || !reflect.DeepEqual(prune(obj), prune(list.Items[i])) {
			differ++
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return differ + max(len(list.Items)-i, 0), nil
}

// prune drops null values and empty objects and lists from v, recursively.
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			if x = prune(x); x != nil {
				m[k] = x
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	case []any:
		if len(v) == 0 {
			return nil
		}
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = prune(x)
		}
		return l
	}
	return v
}
