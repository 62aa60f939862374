package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/svccfg/svccfg/internal/golden"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"svccfg": func() { os.Exit(Main()) },
	})
}

// TestScript runs the CLI scenarios in testdata/script, one per
// <subcommand>_<topic>.txtar file.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       golden.Update(),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			// EXAMPLES is the repository's examples/, for the cases that
			// run on them in place (read-only).
			dir, err := filepath.Abs("../../examples")
			env.Setenv("EXAMPLES", dir)
			return err
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":    cmdStatus,
			"tree":      cmdTree,
			"waitadmin": cmdWaitAdmin,
			"sighup":    cmdSighup,
		},
	})
}

// cmdStatus runs a program like exec and checks its exit status, which
// `! exec` does not:
//
//	status 2 svccfg build --format xml main.star
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status code program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("usage: status code program [args...]: %v", err)
	}
	got := 0
	var exit *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &exit) {
		got = exit.ExitCode()
	} else if err != nil {
		ts.Fatalf("%v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdTree prints the slash-separated paths of the files under a directory,
// sorted, one per line, so that `cmp stdout` checks that a directory holds
// exactly the files it should:
//
//	tree out
func cmdTree(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tree dir")
	}
	dir := ts.MkAbs(args[0])
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		fmt.Fprintln(&b, filepath.ToSlash(rel))
		return err
	})
	ts.Check(err)
	ts.Stdout().Write([]byte(b.String()))
}

// cmdWaitAdmin polls, for up to 30 seconds, the admin endpoint of a
// running svccfg xds serve, whose --addr-file is addrfile, until the body
// of GET path matches the regular expression, and fails the script if it
// never does:
//
//	waitadmin addrs /metrics '^svccfg_xds_version 2$'
func cmdWaitAdmin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: waitadmin addrfile path regexp")
	}
	re, err := regexp.Compile("(?m)" + args[2])
	ts.Check(err)
	var last string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(ts.MkAbs(args[0])); err == nil {
			for line := range strings.Lines(string(data)) {
				addr, ok := strings.CutPrefix(strings.TrimSpace(line), "admin=")
				if !ok {
					continue
				}
				resp, err := http.Get("http://" + addr + args[1])
				if err != nil {
					last = err.Error()
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if last = string(body); re.MatchString(last) {
					return
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("GET %s: no match for %s after 30s; last answer:\n%s", args[1], args[2], last)
}

// cmdSighup sends SIGHUP to the svccfg xds serve whose --addr-file is
// addrfile:
//
//	sighup addrs
func cmdSighup(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sighup addrfile")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "pid="); ok {
			pid, err := strconv.Atoi(v)
			ts.Check(err)
			ts.Check(syscall.Kill(pid, syscall.SIGHUP))
			return
		}
	}
	ts.Fatalf("%s: no pid= line", args[0])
}
