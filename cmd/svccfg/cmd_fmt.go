package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/format"
)

const fmtDoc = `Fmt lays out the Starlark files at each PATH canonically: indentation,
spacing, line breaks, quotes, blank lines, and the order of load statements,
exactly as buildifier formats generic Starlark files. It never changes what
a file evaluates to (but sorts a list that a "# keep sorted" comment marks).
Indentation must be spaces, not tabs. A PATH is a file, or a directory searched for *.star
files (hidden files and directories, and symbolic links, are skipped); "-"
alone formats standard input.

Without flags, fmt prints the formatted files to standard output, one after
another. With -w it rewrites the files that are not formatted, in place and
atomically, keeping their permissions, and leaves the others untouched. With
--check it prints the name of each file that is not formatted and exits 1 if
there is any, which is what CI runs; with --diff it prints what would change
as a unified diff, and exits 1 likewise. -w, --check and --diff exclude each
other.

A file with a syntax error is reported as path:line:col: message and left
as it is; the other files are still formatted, and fmt exits 1.

Examples:

  svccfg fmt -w services/
  svccfg fmt --check examples stdlib
  svccfg fmt --diff main.star
  svccfg fmt - < main.star`

// Flag names.
const (
	flagWrite = "write"
	flagCheck = "check"
	flagDiff  = "diff"
)

// stdinName names standard input in messages.
const stdinName = "<stdin>"

func newFmtCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fmt [-w | --check | --diff] [flags] PATH...",
		Short: "Format Starlark configuration files canonically",
		Long:  fmtDoc,
		Args:  needFmtPaths,
		RunE:  mkRunE(c, runFmt),
	}
	f := cmd.Flags()
	f.BoolP(flagWrite, "w", false, "rewrite the files that are not formatted, in place")
	f.Bool(flagCheck, false, "print the names of the files that are not formatted; exit 1 if there are any")
	f.Bool(flagDiff, false, "print a unified diff of what would change; exit 1 if anything would")
	return cmd
}

// fmtMode is what fmt does with a formatted file.
type fmtMode int

const (
	fmtPrint fmtMode = iota // print it
	fmtWrite                // -w: rewrite the file
	fmtCheck                // --check: print the file's name
	fmtDiff                 // --diff: print a diff
)

// fmtModeOf returns the mode that cmd's flags choose.
func fmtModeOf(cmd *cobra.Command) (fmtMode, error) {
	mode := fmtPrint
	var set []string
	for _, m := range []struct {
		mode       fmtMode
		flag, name string
	}{{fmtWrite, flagWrite, "-w"}, {fmtCheck, flagCheck, "--check"}, {fmtDiff, flagDiff, "--diff"}} {
		if on, _ := cmd.Flags().GetBool(m.flag); on {
			mode = m.mode
			set = append(set, m.name)
		}
	}
	if len(set) > 1 {
		list := strings.Join(set[:len(set)-1], ", ") + " and " + set[len(set)-1]
		return 0, usageErrorf("%s cannot be used together (see %s --help)", list, cmd.CommandPath())
	}
	return mode, nil
}

// needFmtPaths checks fmt's PATH arguments.
func needFmtPaths(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return usageErrorf("missing PATH: a .star file, a directory, or - for standard input (see %s --help)", cmd.CommandPath())
	case slices.Contains(args, "-") && len(args) > 1:
		return usageErrorf("- (standard input) must be the only PATH (see %s --help)", cmd.CommandPath())
	}
	mode, err := fmtModeOf(cmd)
	if err == nil && mode == fmtWrite && args[0] == "-" {
		return usageErrorf("-w cannot rewrite standard input (see %s --help)", cmd.CommandPath())
	}
	return err
}

func runFmt(c *command, cmd *cobra.Command, args []string) error {
	mode, _ := fmtModeOf(cmd) // checked by needFmtPaths
	if args[0] == "-" {
		src, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return systemError{fmt.Errorf("reading standard input: %w", err)}
		}
		return fmtResult(fmtFile(cmd.OutOrStdout(), mode, stdinName, stdinName, src))
	}
	cwd, err := os.Getwd()
	if err != nil {
		return systemError{err}
	}
	files, err := format.Files(cwd, args)
	if err != nil {
		return usageError{err}
	}
	changed := false
	var errs diag.ErrorList
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return usageError{fmt.Errorf("%s: %w", diag.RelPath(file, cwd), errors.Unwrap(err))}
		}
		ch, err := fmtFile(cmd.OutOrStdout(), mode, file, diag.RelPath(file, cwd), src)
		var d *diag.Error
		if errors.As(err, &d) {
			errs = append(errs, d)
		} else if err != nil {
			return err
		}
		changed = changed || ch
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return fmtResult(changed, nil)
}

// fmtResult is the error with which fmt ends: files that --check or
// --diff found not formatted exit 1.
func fmtResult(changed bool, err error) error {
	if err == nil && changed {
		return errPrinted
	}
	return err
}

// fmtFile formats src, the contents of file, which messages call name,
// and does with the result what mode says, writing output to w. It reports
// whether --check or --diff found the file not formatted.
func fmtFile(w io.Writer, mode fmtMode, file, name string, src []byte) (bool, error) {
	out, err := format.Source(file, src)
	if err != nil {
		return false, err
	}
	changed := !bytes.Equal(src, out)
	switch mode {
	case fmtWrite:
		if changed {
			if err := format.WriteFile(file, out); err != nil {
				return false, systemError{fmt.Errorf("%s: %w", name, err)}
			}
		}
		return false, nil
	case fmtCheck:
		if changed {
			_, err = fmt.Fprintln(w, name)
		}
	case fmtDiff:
		_, err = w.Write(diff.Diff(name+".orig", src, name, out))
	default:
		_, err = w.Write(out)
		return false, err
	}
	return changed, err
}
