package e2e

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/internal/testcluster"
)

// TestDiffCommand runs the svccfg binary's diff against a real cluster and
// checks its exit status and output: 1 while there is something to create,
// 0 once it is applied, and 2 with one line of class validation for an
// object the apiserver rejects.
func TestDiffCommand(t *testing.T) {
	c := testcluster.Start(t)
	bin := buildSvccfg(t)
	const ns = "diff-cmd"
	createNamespaces(t, c, []string{ns})
	home, err := filepath.Abs(filepath.Join(examplesDir, "home-srv"))
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"diff", "--kubeconfig", c.Kubeconfig, "--var", "namespace=" + ns, home}

	code, stdout, stderr := run(t, bin, args...)
	summary := regexp.MustCompile(`(?m)^(\d+) to create, 0 to change, 0 unchanged, 0 to prune\n\z`)
	m := summary.FindStringSubmatch(stdout)
	if code != 1 || m == nil || stderr != "" {
		t.Fatalf("svccfg %s: exit %d, stderr %q, stdout:\n%s\nwant exit 1, all to create", strings.Join(args, " "), code, stderr, stdout)
	}
	// Not a terminal: no colour unless asked for; --color always colours
	// added lines green.
	if strings.Contains(stdout, "\x1b[") {
		t.Errorf("output to a pipe has colour escapes:\n%q", stdout)
	}
	colorArgs := append([]string{"diff", "--color", "always"}, args[1:]...)
	if code, colored, _ := run(t, bin, colorArgs...); code != 1 || !strings.Contains(colored, "\x1b[32m+apiVersion: apps/v1\x1b[0m\n") {
		t.Errorf("svccfg %s: exit %d, output lacks a green added line:\n%q", strings.Join(colorArgs, " "), code, colored)
	}
	if !strings.Contains(stdout, "+++ svccfg/apps/v1/Deployment/"+ns+"/home-srv\n") {
		t.Errorf("stdout lacks the Deployment's diff:\n%s", stdout)
	}

	applyCommand(t, c, bin, ns, home)
	code, stdout, stderr = run(t, bin, args...)
	if want := "0 to create, 0 to change, " + m[1] + " unchanged, 0 to prune\n"; code != 0 || stdout != want || stderr != "" {
		t.Errorf("after applying: exit %d, stderr %q, stdout:\n%s\nwant exit 0 and %q", code, stderr, stdout, want)
	}

	code, stdout, stderr = run(t, bin, "diff", "--kubeconfig", c.Kubeconfig, "--var", "namespace="+ns, "testdata/invalid")
	wantErr := regexp.MustCompile(`^svccfg: diff: validation: apps/v1/Deployment/` + ns + `/bad: invalid: spec\.replicas: Invalid value: -1: [^\n]*\n\z`)
	if code != 2 || stdout != "" || !wantErr.MatchString(stderr) {
		t.Errorf("invalid object: exit %d, stdout %q, stderr %q; want exit 2 and one line matching %s", code, stdout, stderr, wantErr)
	}
}

// applyCommand applies the configuration at dir with the svccfg binary bin
// (without waiting: the cluster may have no controllers), failing t unless
// it succeeds.
func applyCommand(t *testing.T, c *testcluster.Cluster, bin, ns, dir string) {
	t.Helper()
	code, stdout, stderr := run(t, bin, "apply", "--wait=false", "--kubeconfig", c.Kubeconfig, "--var", "namespace="+ns, dir)
	if code != 0 {
		t.Fatalf("svccfg apply %s: exit %d, stderr %q, stdout:\n%s", dir, code, stderr, stdout)
	}
}

// buildSvccfg builds the svccfg binary into a temporary directory.
func buildSvccfg(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "svccfg")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/svccfg").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// run runs bin with args and returns its exit status and output.
func run(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}
