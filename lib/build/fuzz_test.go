package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzBuild evaluates arbitrary bytes as a configuration file: whatever
// the input, the build ends in a result or an error, never a panic (which
// the build reports as an internal error). A hang would stop the fuzzer:
// every evaluation has a two-second deadline.
func FuzzBuild(f *testing.F) {
	for _, seed := range []string{
		"def main(ctx):\n    return service(name = \"web\", owner = \"o\", image = \"i:1\", port = 80)\n",
		"def main(ctx):\n    return cron(name = \"j\", owner = \"o\", image = \"i:1\", schedule = \"0 * * * *\")\n",
		"load(\"@stdlib//einhorn.star\", \"einhorn\")\ndef main(ctx):\n    return service(name = \"a\", owner = \"o\", image = \"i:1\", command = einhorn(script = \"s.rb\", port = 9))\n",
		"core = proto.package(\"k8s.io.api.core.v1\")\ndef main(ctx):\n    return core.ConfigMap(metadata = proto.package(\"k8s.io.apimachinery.pkg.apis.meta.v1\").ObjectMeta(name = \"x\"), data = {\"a\": \"b\"})\n",
		"def main(ctx):\n    return [envoy.cluster(name = \"x\", address = \"a\", port = 1)]\n",
		"load(\"../x.star\", \"y\")\n",
		"def main(ctx):\n    return kube.cores(0.5)\n",
		"def main(ctx)\n",
		"x = [1] * 10\ndef main(ctx):\n    return x\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.star"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Build(context.Background(), []string{filepath.Join(dir, "main.star")}, Options{
			Cwd: dir, MaxSteps: 100_000, Timeout: 2 * time.Second, MaxMemory: 512 << 20,
		})
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("build of %q: %v", src, err)
		}
	})
}
