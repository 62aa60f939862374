package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
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
// of the plain floor with svccfg's JSON.
func checkN(t tools, tree, base, dir string, deep bool) (check, error) {
	var c check
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return c, err
	}
	stream, err := output(exec.Command(t.svccfg, "build", tree))
	if err != nil {
		return c, err
	}
	c.objects[0] = bytes.Count(stream, []byte("\nkind: ")) + bytesHasPrefix(stream, "kind: ")
	if _, err := measure(exec.Command(t.svccfg, "build", "-o", base, tree)); err != nil {
		return c, err
	}
	envoyFiles, err := filepath.Glob(filepath.Join(base, "envoy", "*"))
	if err != nil {
		return c, err
	}
	for _, f := range envoyFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return c, err
		}
		c.envoy[0] += bytes.Count(data, []byte("\n- '@type': ")) + bytesHasPrefix(data, "- '@type': ")
	}
	plainOut := filepath.Join(dir, "plain.jsonl")
	for i, cmd := range []*exec.Cmd{exec.Command(t.plain, tree), exec.Command(t.skycfg, tree)} {
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := output(cmd)
		if err != nil {
			return c, err
		}
		m := summaryLine.FindSubmatch(stderr.Bytes())
		if m == nil {
			return c, fmt.Errorf("%s: no summary line in %q", cmd.Path, stderr.Bytes())
		}
		c.objects[i+1], _ = strconv.Atoi(string(m[2]))
		c.envoy[i+1], _ = strconv.Atoi(string(m[3]))
		if i == 0 {
			if err := os.WriteFile(plainOut, out, 0o644); err != nil {
				return c, err
			}
		} else {
			c.skycfgSame = bytes.Equal(out, stream)
		}
	}
	if !deep {
		return c, nil
	}
	data, err := output(exec.Command(t.svccfg, "build", "--format", "json", tree))
	if err != nil {
		return c, err
	}
	c.plainCompared = true
	c.plainDiffer, err = comparePlain(data, plainOut)
	return c, err
}

func bytesHasPrefix(b []byte, prefix string) int {
	if bytes.HasPrefix(b, []byte(prefix)) {
		return 1
	}
	return 0
}

// output runs cmd and returns its stdout.
func output(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	if _, err := measure(cmd); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// comparePlain returns how many objects of the plain floor's JSON stream
// (one object a line) differ from the items of svccfg's JSON List, in the
// same order, once null values and empty objects and lists are dropped
// (Kubernetes writes "strategy": {} and "resources": {}, and protobuf has
// no empty lists).
func comparePlain(svccfgJSON []byte, plainFile string) (int, error) {
	var list struct{ Items []any }
	if err := json.Unmarshal(svccfgJSON, &list); err != nil {
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
