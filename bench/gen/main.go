// Command gen writes a tree of N realistic service configurations for
// benchmarks: services spread over team directories, one file each (every
// tenth file also defines a cron job), all sharing the standard library and
// two user modules loaded with load().
//
// Usage:
//
//	go run ./bench/gen -n 10000 -o /tmp/bench-10000
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	n := flag.Int("n", 1000, "number of services")
	out := flag.String("o", "", "output `dir` (required; replaced)")
	perDir := flag.Int("per-dir", 100, "services per directory")
	flag.Parse()
	if *out == "" || *n <= 0 || *perDir <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, *n, *perDir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

const config = `vars:
  cluster: bench
  environment: production
  namespace: services
`

const common = `load("@stdlib//einhorn.star", "einhorn")

REGISTRY = "registry.example.com"

def image(team, name, version):
    return "%s/%s/%s:%s" % (REGISTRY, team, name, version)

def ruby_service(ctx, team, name, version, port, replicas = 3, cores = 1, gigabytes = 2, env = {}):
    """A Ruby service under einhorn, sized per environment."""
    if ctx.vars["environment"] != "production":
        replicas = 1
    return service(
        name = name,
        owner = team,
        image = image(team, name, version),
        command = einhorn(script = "%s/server.rb" % name, workers = 4, port = port),
        iam_role = "%s.kube.%s.%s" % (name, ctx.vars["cluster"], ctx.vars["environment"]),
        replicas = replicas,
        cpu = kube.cores(cores),
        mem = kube.gigabytes(gigabytes),
        env = dict({"TEAM": team, "SERVICE": name}, **env),
        health_check_path = "/healthz",
    )

def nightly(team, name, version, hour):
    """A nightly batch job."""
    return cron(
        name = name + "-nightly",
        owner = team,
        image = image(team, name, version),
        schedule = "%d 2 * * *" % (hour % 60),
        command = ["ruby", "jobs/%s.rb" % name],
    )
`

var teamNames = []string{"payments", "search", "risk", "growth"}

func write(out string, n, perDir int) error {
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	files := map[string]string{
		"svccfg.yaml":     config,
		"lib/common.star": common,
	}
	for i := range n {
		team := teamNames[i%len(teamNames)]
		name := fmt.Sprintf("svc-%05d", i)
		dir := fmt.Sprintf("%s-%03d", team, i/perDir)
		src := fmt.Sprintf(`load("//lib/common.star", "nightly", "ruby_service")

def main(ctx):
    svc = ruby_service(
        ctx,
        team = %q,
        name = %q,
        version = "1.%d.%d",
        port = %d,
        replicas = %d,
        cores = %d,
        gigabytes = %d,
        env = {"LOG_LEVEL": "info"},
    )
`, team, name, i%7, i%13, 8000+i%1000, 2+i%3, 1+i%4, 1+i%8)
		if i%10 == 0 {
			src += fmt.Sprintf("    return [svc, nightly(%q, %q, \"1.0.0\", %d)]\n", team, name, i)
		} else {
			src += "    return svc\n"
		}
		files[filepath.Join(dir, name+".star")] = src
	}
	for name, data := range files {
		p := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}
