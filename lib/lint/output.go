package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/svccfg/svccfg/lib/diag"
)

// WriteText writes findings one per line, "path:line:col: message (rule)",
// with paths relative to cwd, each followed by its call chain on
// tab-indented lines, "\tpath:line:col: in function", as errors print it.
func WriteText(w io.Writer, findings []Finding, cwd string) error {
	var b bytes.Buffer
	for _, f := range findings {
		fmt.Fprintf(&b, "%s: %s (%s)\n", f.Pos.Format(cwd), f.Msg, f.Rule)
		for _, frame := range f.Stack {
			fmt.Fprintf(&b, "\t%s: in %s\n", frame.Pos.Format(cwd), frame.Func)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// jsonFinding is a finding as WriteJSON writes it.
type jsonFinding struct {
	File    string      `json:"file"`
	Line    int         `json:"line"`
	Column  int         `json:"column"`
	Rule    string      `json:"rule"`
	Message string      `json:"message"`
	Stack   []jsonFrame `json:"stack,omitempty"`
}

// jsonFrame is a caller in the call chain of a finding, as WriteJSON
// writes it.
type jsonFrame struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Function string `json:"function"`
}

// WriteJSON writes findings as an indented JSON array (empty when there are
// none) of objects with the fields file (relative to cwd, slash-separated),
// line, column, rule and message, and, for a finding with a call chain,
// stack: its callers, innermost first, each with file, line, column and
// function.
func WriteJSON(w io.Writer, findings []Finding, cwd string) error {
	list := make([]jsonFinding, len(findings))
	for i, f := range findings {
		list[i] = jsonFinding{File: diag.RelPath(f.Pos.File, cwd), Line: f.Pos.Line, Column: f.Pos.Col, Rule: f.Rule, Message: f.Msg}
		for _, frame := range f.Stack {
			list[i].Stack = append(list[i].Stack, jsonFrame{File: diag.RelPath(frame.Pos.File, cwd), Line: frame.Pos.Line, Column: frame.Pos.Col, Function: frame.Func})
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(list); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}
