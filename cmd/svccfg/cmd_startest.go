package main

import (
	"os"
	"regexp"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/startest"
)

const testDoc = `Test runs the test functions, test_NAME(t), of the Starlark files at each
PATH (default: the current directory) and reports the outcome in the manner
of "go test". A PATH is a .star file, or a directory searched for .star files
that define main or a test function (hidden directories and testdata are
skipped). Tests live in configuration files beside main, or in files of their
own, conventionally NAME_test.star, that load what they test:

  load("app.star", "main")

  def test_production(t):
      svc = main(t.ctx(vars = {"environment": "production"}))
      t.eq(t.find(svc, "Deployment").spec.replicas, 5)

Files run in order of their paths, and each file's tests in the order they are
defined, each in the sandbox of svccfg build with its own --max-steps and
--timeout. t offers:

  t.eq(got, want, msg = "")          t.ne(got, want, msg = "")
  t.true(cond, msg = "")             t.false(cond, msg = "")
  t.contains(container, x, msg = "") x in container (a substring of a string)
  t.fails(fn, pattern)               fn() must fail with an error matching the
                                     regular expression; returns its message
  t.error(msg)                       records a failure; t.fatal(msg) also ends the test
  t.ctx(vars = {})                   a ctx for main: the variables of svccfg.yaml and
                                     --var, overridden by vars (the standard library
                                     sees them too, for a service's default namespace)
  t.find(values, type, name = None)  the one message of a type ("Deployment") among
                                     a service's or cron job's objects and Envoy
                                     resources, a message, or a list of them
  t.name                             the test's name

A failed assertion reads "path:line:col: test_NAME: got X, want Y" (a diff when
the values are long) and the test goes on; t.fatal, a failed t.find and any
error the test raises end that test only. Each failed test is reported as
"--- FAIL: test_NAME" followed by its failures, each file as
"ok   PATH (N tests)", "FAIL PATH (N tests, M failed)", "FAIL PATH [load failed]"
or "?    PATH [no tests]". -v also reports each passing test.

Exit status: 0 when every test passed (also when there were none, as with go
test); 1 when a test failed or a file could not be evaluated; 2 for usage
errors.

Examples:

  svccfg test
  svccfg test -v --run 'production' services/home-srv
  svccfg test stdlib/testdata`

// Flag names of svccfg test.
const (
	flagRun     = "run"
	flagVerbose = "verbose"
)

func newTestCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "test [flags] [PATH...]",
		Short: "Run the test_*(t) functions of configuration and test files",
		Long:  testDoc,
		RunE:  mkRunE(c, runTest),
	}
	addSandboxFlags(cmd)
	f := cmd.Flags()
	f.Lookup(flagMaxSteps).Usage = "stop a file's loading, or a test, after this many Starlark execution `steps`"
	f.Lookup(flagTimeout).Usage = "stop a file's loading, or a test, after this wall-clock `duration`"
	f.String(flagRun, "", "run only the tests whose names match the regular expression `regexp`")
	f.BoolP(flagVerbose, "v", false, "also report each test that passed")
	return cmd
}

func runTest(c *command, cmd *cobra.Command, args []string) error {
	cwd, err := os.Getwd()
	if err != nil {
		return systemError{err}
	}
	bopts, err := sandboxOptions(cmd, cwd)
	if err != nil {
		return err
	}
	opts := startest.Options{Vars: bopts.Vars, MaxSteps: bopts.MaxSteps, Timeout: bopts.Timeout, Stderr: cmd.ErrOrStderr(), Cwd: cwd}
	if pattern, _ := cmd.Flags().GetString(flagRun); pattern != "" {
		if opts.Run, err = regexp.Compile(pattern); err != nil {
			return usageErrorf("--%s: %v", flagRun, err)
		}
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	res, err := startest.Run(cmd.Context(), args, opts)
	if err != nil {
		return err
	}
	verbose, _ := cmd.Flags().GetBool(flagVerbose)
	res.Write(cmd.OutOrStdout(), verbose, cwd)
	if res.Failed() {
		return errPrinted
	}
	return nil
}
