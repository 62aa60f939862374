package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/lint"
)

// Flag names of lint.
const (
	flagJSON    = "json"
	flagChanged = "changed"
	flagRules   = "rules"
)

const lintDoc = `Lint evaluates the configuration files at each PATH, as build does, and
checks the Kubernetes objects and Envoy resources they generate against
policy rules: owners, resource requests, pinned images, replicas under a
PodDisruptionBudget, names, duplicate names and ports, cron schedules, and
Envoy timeouts and circuit breakers. --rules lists them.

Each finding is printed as "path:line:col: message (rule)", sorted, at the
line of the configuration that caused it: the argument of the service(),
cron() or message call when it is written there (image = ...), or else the
call. When a helper function of a loaded module made the call, the call
chain back to main follows on tab-indented lines, "path:line:col: in fn",
as for errors. With --json, findings are a JSON array of objects with the
fields file, line, column, rule and message, and stack (the call chain,
objects with file, line, column and function) when there is one ([] when
there are no findings).

A comment on the line of a finding, or of a call in its call chain,
silences it, naming one or more rules (text may follow):

  image = "registry.example.com/mirror:latest",  # svccfg:ignore image-pinned (only latest is published)

An ignore comment naming an unknown rule is a finding of ignore-comment.
The config root's svccfg.yaml can turn rules off for every file under it:

  lint:
    disable: [image-pinned]

With --changed, the arguments are the files a commit changed, as a
pre-commit hook passes them: lint evaluates those of them that are
configuration files and every configuration file under the same config root
whose load() graph reaches one of them, not the whole tree. Files that are
not .star files, that no longer exist, or that lie in hidden or testdata
directories are skipped without an error (the files that load a deleted
file are still linted). A change to the config root's prelude, or to a file
it loads, lints every configuration file of the root. To find the files
that load them, lint reads every .star file under the config root, once: it
keeps an index of the .star names each file mentions in --cache DIR, or
else in svccfg's directory of the user's cache directory ($XDG_CACHE_HOME
or ~/.cache), and later reads only the files whose size, times or inode
changed.

Exit status: 0 if there are no findings, 1 for findings or configuration
errors (printed as build prints them), 2 for usage errors.

Examples:

  svccfg lint examples/
  svccfg lint --json services/ > findings.json
  svccfg lint --changed $(git diff --cached --name-only)
  svccfg lint --rules`

func newLintCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lint [flags] PATH...",
		Short: "Check the configuration against policy rules",
		Long:  lintDoc,
		RunE:  mkRunE(c, runLint),
	}
	f := cmd.Flags()
	f.Bool(flagJSON, false, "print the findings as a JSON array")
	f.Bool(flagChanged, false, "the arguments are changed files: lint the configuration files they are or that load them")
	f.Bool(flagRules, false, "list the rules and exit")
	addEvalFlags(cmd)
	return cmd
}

func runLint(c *command, cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	if rules, _ := f.GetBool(flagRules); rules {
		if len(args) > 0 {
			return usageErrorf("--%s takes no arguments, got %q (see %s --help)", flagRules, args[0], cmd.CommandPath())
		}
		return writeRules(cmd.OutOrStdout())
	}
	changed, _ := f.GetBool(flagChanged)
	if !changed {
		if err := needPaths(cmd, args); err != nil {
			return err
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return systemError{err}
	}
	opts, err := buildOptions(cmd, cwd)
	if err != nil {
		return err
	}
	opts.Duplicates = true
	paths := args
	if changed {
		if paths, err = lint.Changed(args, lint.ChangedOptions{Cwd: cwd, CacheDir: indexDir(cmd)}); err != nil {
			return systemError{err}
		}
	}
	var findings []lint.Finding
	if len(paths) > 0 {
		out, err := build.Build(cmd.Context(), paths, opts)
		if err != nil && build.CallsElsewhere(err) {
			out, err = buildWithPeers(cmd.Context(), paths, opts)
		}
		if err != nil {
			return err
		}
		if findings, err = lint.Run(out, lint.Options{Cwd: cwd}); err != nil {
			return err
		}
	}
	return writeFindings(cmd, findings, cwd)
}

// buildWithPeers builds paths, some of whose services call services that
// other files of their config roots define: it builds those roots first
// (the files that build; their errors are not the lint's), and checks the
// calls against their services, as a build of the whole roots would. A
// root without svccfg.yaml is not built whole.
func buildWithPeers(ctx context.Context, paths []string, opts build.Options) (*build.Output, error) {
	roots, err := build.Roots(paths, build.FindOptions{Cwd: opts.Cwd})
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, r := range roots {
		if _, err := os.Stat(filepath.Join(r.Dir, build.ConfigFile)); err == nil {
			dirs = append(dirs, r.Dir)
		}
	}
	if len(dirs) > 0 {
		all := opts
		all.Partial, all.Stderr = true, nil
		if peers, _ := build.Build(ctx, dirs, all); peers != nil {
			opts.Peers = peers.Units
		}
	}
	return build.Build(ctx, paths, opts)
}

// indexDir returns the directory of the index that --changed keeps: --cache,
// or else svccfg's directory in the user's cache directory, or "" for none.
func indexDir(cmd *cobra.Command) string {
	if dir, _ := cmd.Flags().GetString(flagCache); dir != "" {
		return dir
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "svccfg")
	}
	return ""
}

// writeFindings prints findings as text or, with --json, JSON, and returns
// errPrinted if there are any.
func writeFindings(cmd *cobra.Command, findings []lint.Finding, cwd string) error {
	write := lint.WriteText
	if asJSON, _ := cmd.Flags().GetBool(flagJSON); asJSON {
		write = lint.WriteJSON
	}
	if err := write(cmd.OutOrStdout(), findings, cwd); err != nil {
		return systemError{err}
	}
	if len(findings) > 0 {
		return errPrinted
	}
	return nil
}

// writeRules lists the rules, one a line: name and description.
func writeRules(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, r := range lint.Rules() {
		fmt.Fprintf(tw, "%s\t%s\n", r.Name, r.Doc)
	}
	if err := tw.Flush(); err != nil {
		return systemError{err}
	}
	return nil
}
