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

// systemError is a failure of the environment rather than of the
// configuration: output that cannot be written, or a bug in svccfg itself.
type systemError struct{ err error }

func (e systemError) Error() string { return e.err.Error() }
func (e systemError) Unwrap() error { return e.err }

// recovered turns a panic value into an error, so that a bug in svccfg
// ends in one line and exit status 2, not a stack trace.
func recovered(r any) error {
	return systemError{fmt.Errorf("internal error: %v (this is a bug in svccfg; please report it with the input that caused it)", r)}
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
		sys   systemError
	)
	if errors.As(err, &usage) || errors.As(err, &path) || errors.As(err, &sys) {
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
