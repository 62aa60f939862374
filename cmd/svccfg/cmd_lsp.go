package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/lsp"
)

const lspDoc = `Lsp runs svccfg's language server on standard input and output, for an
editor to start: diagnostics as you type (errors at their place, with the
call chain, and lint findings); on hover, the documentation of the standard
library, message types, fields and enum values, of the configuration's own
functions and variables, and what a call generated; completion of names,
keyword arguments, fields (in constructors, dict literals and after a dot),
message types, enum values, ctx.vars keys and load() paths and names;
signature help; go-to-definition across load() and into the standard
library; references and rename across the config root; document symbols
and highlights; formatting as svccfg fmt does it; and a quick fix for each
"did you mean". Evaluation is sandboxed as for build, with the step limit
of --max-steps and a deadline.

A malformed message from the client ends the server with exit status 2.

docs/editors.md shows how to set up VS Code, Neovim and Helix.`

func newLSPCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lsp",
		Short: "Run the language server on standard input and output",
		Long:  lspDoc,
		Args:  cobra.NoArgs,
		RunE:  mkRunE(c, runLSP),
	}
	addSandboxFlags(cmd)
	return cmd
}

func runLSP(c *command, cmd *cobra.Command, args []string) error {
	cwd, err := os.Getwd()
	if err != nil {
		return systemError{err}
	}
	opts, err := sandboxOptions(cmd, cwd)
	if err != nil {
		return err
	}
	rw := stdio{cmd.InOrStdin(), cmd.OutOrStdout()}
	if err := lsp.Serve(cmd.Context(), rw, lsp.Options{MaxSteps: opts.MaxSteps, Timeout: opts.Timeout, Vars: opts.Vars, Log: cmd.ErrOrStderr()}); err != nil {
		return systemError{err}
	}
	return nil
}

// stdio is standard input and output as the stream of the language server.
type stdio struct {
	io.Reader
	io.Writer
}

// Close does nothing: the process's standard streams close as it exits.
func (stdio) Close() error { return nil }
