// Package startest runs the tests written in Starlark, for `svccfg test`: the
// top-level functions called test_NAME(t) in configuration files and in
// separate test files.
//
// A PATH names a .star file, or a directory whose .star files that define
// main or a test function are run (hidden and testdata directories below it
// are skipped, as for `svccfg build`). Files run in order of their paths and,
// within a file, tests in the order they are defined; each test runs on its
// own sandboxed thread, with the evaluation's step limit and timeout. Tests
// can live in a configuration file beside its main, or in a file of their own,
// conventionally NAME_test.star beside NAME.star, which loads what it tests:
//
//	load("app.star", "main")
//
//	def test_production_replicas(t):
//	    svc = main(t.ctx(vars = {"environment": "production"}))
//	    t.eq(t.find(svc, "Deployment").spec.replicas, 5)
//
// The t argument offers assertions, which record a failure at their own line
// and let the test go on, and helpers:
//
//	t.eq(got, want, msg = "")          got == want
//	t.ne(got, want, msg = "")          got != want
//	t.true(cond, msg = "")             cond is true (in Starlark's sense)
//	t.false(cond, msg = "")            cond is false
//	t.contains(container, x, msg = "") x in container (a substring of a string)
//	t.fails(fn, pattern) -> string     fn() fails with an error matching the
//	                                   regular expression; returns its message
//	t.error(msg)                       records a failure
//	t.fatal(msg)                       records a failure and ends the test
//	t.ctx(vars = {}) -> ctx            a ctx like main's, whose variables are
//	                                   the evaluation's overridden by vars; the
//	                                   standard library sees them too from then
//	                                   on (a service's default namespace)
//	t.find(values, type, name = None)  the one proto message of that type (its
//	                                   full name or last part, "Deployment")
//	                                   among values: a service, a cron job, a
//	                                   message or a list of them; with name, the
//	                                   one so named (metadata.name or name)
//	t.name                             the test's name
//
// A failure reads "path:line:col: test_NAME: got X, want Y", with the values
// in Starlark syntax (a proto message as a call of its type's constructor) and,
// when they are long, as a diff. An error that a test raises (a fail() call, a
// bad argument to the standard library) ends that test only.
package startest
