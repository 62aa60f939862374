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

	"github.com/svccfg/svccfg/bench/internal/spec"
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
	if err := spec.WriteTree(*out, *n, *perDir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
