// Package golden tells tests whether to rewrite their golden files instead
// of comparing against them: with `go test -update` in a package that
// imports it, or SVCCFG_UPDATE=1 in any package (which `make golden` uses,
// since `go test ./... -update` fails in packages without the flag).
package golden

import (
	"flag"
	"os"
)

var update = flag.Bool("update", false, "rewrite golden files instead of comparing against them")

// Update reports whether golden files should be rewritten.
func Update() bool {
	return *update || os.Getenv("SVCCFG_UPDATE") == "1"
}
