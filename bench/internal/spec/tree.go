package spec

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

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

// WriteTree replaces out with a configuration tree of n services, perDir
// to a directory.
func WriteTree(out string, n, perDir int) error {
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	files := map[string]string{
		"svccfg.yaml":     config,
		"lib/common.star": common,
	}
	for i := range n {
		s := Of(i)
		dir := fmt.Sprintf("%s-%03d", s.Team, i/perDir)
		src := fmt.Sprintf(`load("//lib/common.star", "nightly", "ruby_service")

def main(ctx):
    svc = ruby_service(
        ctx,
        team = %q,
        name = %q,
        version = %q,
        port = %d,
        replicas = %d,
        cores = %d,
        gigabytes = %d,
        env = {"LOG_LEVEL": "info"},
    )
`, s.Team, s.Name, s.Version, s.Port, s.Replicas, s.Cores, s.GiB)
		if s.Cron {
			src += fmt.Sprintf("    return [svc, nightly(%q, %q, \"1.0.0\", %d)]\n", s.Team, s.Name, i)
		} else {
			src += "    return svc\n"
		}
		files[filepath.Join(dir, s.Name+".star")] = src
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

// Bump gives every every-th of the n services of the tree at dir a new
// version (the image, and so the pod template, of its Deployment and of its
// CronJob if it has one), and returns how many it changed.
func Bump(dir string, n, every int) (int, error) {
	changed := 0
	for i := 0; i < n; i += every {
		s := Of(i)
		p := filepath.Join(dir, fmt.Sprintf("%s-%03d", s.Team, i/100), s.Name+".star")
		src, err := os.ReadFile(p)
		if err != nil {
			return changed, err
		}
		old := fmt.Sprintf("version = %q", s.Version)
		if !bytes.Contains(src, []byte(old)) {
			return changed, fmt.Errorf("%s: no %s", p, old)
		}
		src = bytes.Replace(src, []byte(old), []byte(fmt.Sprintf("version = %q", s.Version+"-rc1")), 1)
		if err := os.WriteFile(p, src, 0o644); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}
