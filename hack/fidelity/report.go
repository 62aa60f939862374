package main

import (
	"cmp"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
)

// Print writes the reports: a table of the apps, then for each the fields
// that svccfg does not reproduce, object by object. With verbose, also the
// fields that differ only after defaulting and those only svccfg sets.
func Print(w io.Writer, reports []Report, verbose bool) {
	defaulted := len(reports) > 0
	for _, r := range reports {
		defaulted = defaulted && r.Result.Defaulted
	}
	if defaulted {
		fmt.Fprintln(w, "svccfg's output against the original manifests, after the apiserver's defaulting (server-side dry run) of both")
	} else {
		fmt.Fprintln(w, "svccfg's output against the original manifests, as written (no cluster: nothing defaulted)")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "app\tobjects\twritten fields reproduced"
	if defaulted {
		header += "\tall fields, defaulted"
	}
	fmt.Fprintln(tw, header+"\tsvccfg only")
	var objs, matched int
	var written, all Score
	for _, r := range reports {
		res := r.Result
		objs += len(res.Objects)
		matched += res.Matched()
		written.Add(res.Written())
		all.Add(res.DefaultedScore())
		line := fmt.Sprintf("%s\t%d/%d\t%s", r.App.Name, res.Matched(), len(res.Objects), res.Written())
		if defaulted {
			line += "\t" + res.DefaultedScore().String()
		}
		fmt.Fprintf(tw, "%s\t%d fields, %d objects\n", line, res.Added(), len(res.Extra))
	}
	line := fmt.Sprintf("overall\t%d/%d\t%s", matched, objs, written)
	if defaulted {
		line += "\t" + all.String()
	}
	fmt.Fprintln(tw, line+"\t")
	tw.Flush()
	for _, r := range reports {
		printApp(w, r, verbose)
	}
	printPatterns(w, reports)
}

// printApp writes what svccfg does not reproduce of one app.
func printApp(w io.Writer, r Report, verbose bool) {
	a := r.App
	fmt.Fprintf(w, "\n== %s: %s@%s %s\n", a.Name, a.Repo, a.Version, strings.Join(a.Manifests, " "))
	for _, o := range r.Result.Objects {
		if !o.Matched {
			fmt.Fprintf(w, "%s: not produced (%d written fields)\n", o.Key, o.Written.Total)
			continue
		}
		diffs := len(o.Diffs)
		if verbose {
			diffs += len(o.DefaultDiffs) + len(o.Added)
		}
		if diffs == 0 {
			fmt.Fprintf(w, "%s: %s written fields, complete\n", o.Key, o.Written)
			continue
		}
		fmt.Fprintf(w, "%s: %s written fields\n", o.Key, o.Written)
		printDiffs(w, o.Diffs, "")
		if verbose {
			printDiffs(w, o.DefaultDiffs, " (default)")
			printDiffs(w, o.Added, "")
		}
	}
	if len(r.Result.Extra) > 0 {
		fmt.Fprintf(w, "svccfg only: %s\n", strings.Join(r.Result.Extra, ", "))
	}
}

// printDiffs writes one line per field: missing, differs or added.
func printDiffs(w io.Writer, diffs []Diff, note string) {
	for _, d := range diffs {
		switch {
		case d.Want == "":
			fmt.Fprintf(w, "  added%s    %s = %s\n", note, d.Path, d.Got)
		case d.Got == "":
			fmt.Fprintf(w, "  missing%s  %s = %s\n", note, d.Path, d.Want)
		default:
			fmt.Fprintf(w, "  differs%s  %s = %s, svccfg %s\n", note, d.Path, d.Want, d.Got)
		}
	}
}

// A Pattern is a kind and a field path with its list keys replaced by
// "*", such as "Deployment spec.template.spec.containers[*].image", and
// how many written fields of that shape svccfg does not reproduce.
type Pattern struct {
	Path  string
	Count int
}

// keyRE matches the list keys of a field path.
var keyRE = regexp.MustCompile(`\[[^\]]*\]`)

// Patterns returns the shapes of the written fields that svccfg does not
// reproduce in the matched objects of reports, most frequent first (ties by
// path), and the objects that it does not produce, by kind.
func Patterns(reports []Report) (fields, kinds []Pattern) {
	fc, kc := map[string]int{}, map[string]int{}
	for _, r := range reports {
		for _, o := range r.Result.Objects {
			kind := strings.Fields(o.Key)[0]
			if !o.Matched {
				kc[kind]++
				continue
			}
			for _, d := range o.Diffs {
				fc[kind+" "+keyRE.ReplaceAllString(d.Path, "[*]")]++
			}
		}
	}
	return sortedPatterns(fc), sortedPatterns(kc)
}

// sortedPatterns returns the counts of m, most first, ties by path.
func sortedPatterns(m map[string]int) []Pattern {
	var out []Pattern
	for p, n := range m {
		out = append(out, Pattern{p, n})
	}
	slices.SortFunc(out, func(a, b Pattern) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Path, b.Path))
	})
	return out
}

// printPatterns writes the summary of what is not reproduced.
func printPatterns(w io.Writer, reports []Report) {
	fields, kinds := Patterns(reports)
	if len(fields)+len(kinds) == 0 {
		return
	}
	fmt.Fprintln(w, "\n== not reproduced, over all apps (written fields of matched objects, by shape)")
	for _, p := range fields {
		fmt.Fprintf(w, "%4d  %s\n", p.Count, p.Path)
	}
	for _, p := range kinds {
		fmt.Fprintf(w, "%4d  %s objects not produced\n", p.Count, p.Path)
	}
}
