package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
)

// Exit statuses.
const (
	exitOK     = 0 // success
	exitConfig = 1 // configuration errors
	exitUsage  = 2 // bad flags, arguments or paths
)

// usageError is an error in how svccfg was invoked.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// errPrinted reports a failure whose messages were already written.
var errPrinted = errors.New("svccfg: failed")

// exit prints err once, through diag.Print, and returns the exit status.
func exit(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	code := exitConfig
	var (
		usage usageError
		path  *build.PathError
	)
	if errors.As(err, &usage) || errors.As(err, &path) {
		code = exitUsage
	} else if !isConfigError(err) {
		code = exitUsage // cobra's own errors: unknown command or flag
	}
	if err != errPrinted {
		cwd, _ := os.Getwd()
		if code == exitUsage {
			fmt.Fprint(stderr, "svccfg: ")
		}
		diag.Print(stderr, err, diag.Config{Cwd: cwd})
	}
	return code
}

// configError marks errors from running a subcommand, as opposed to
// cobra's parsing of the command line.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

func isConfigError(err error) bool {
	var c configError
	return errors.As(err, &c) || err == errPrinted
}
