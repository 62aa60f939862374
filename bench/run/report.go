package main

import (
	"fmt"
	"strings"

	"github.com/svccfg/svccfg/bench/internal/benchfmt"
)

// rssGoals are issue 9's limits of svccfg's peak RSS, in bytes, by N.
var rssGoals = map[int]float64{10000: 200e6, 30000: 300e6}

// linearTolerance is how much the time per service may grow from the
// smallest N before the table calls it not linear: the noise of one run on
// a shared machine.
const linearTolerance = 1.2

// report returns the Markdown tables of rows.
func report(rows []row, withRef bool) string {
	var b strings.Builder
	refHead, refRule := "", ""
	if withRef {
		refHead, refRule = " reference |", "---:|"
	}
	b.WriteString("Wall time (stream, plain floor and skycfg print to /dev/null; fs floor is the time of its writing alone):\n\n")
	fmt.Fprintf(&b, "| N | svccfg stream | svccfg -o (fresh dir) | svccfg warm | svccfg cached | plain floor | skycfg | fs floor |%s\n", refHead)
	fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|---:|%s\n", refRule)
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s |", r.n, secs(r.stream), secs(r.out), secs(r.warm), secs(r.cached), secs(r.plain), secs(r.sky), secs(r.fs))
		if withRef {
			fmt.Fprintf(&b, " %s |", secs(r.ref))
		}
		b.WriteString("\n")
	}
	b.WriteString("\nPeak RSS (largest of the runs; MB = 10⁶ bytes):\n\n")
	fmt.Fprintf(&b, "| N | svccfg stream | svccfg -o | svccfg warm | svccfg cached | plain floor | skycfg |%s\n", refHead)
	fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|%s\n", refRule)
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s |", r.n, mb(r.stream), mb(r.out), mb(r.warm), mb(r.cached), mb(r.plain), mb(r.sky))
		if withRef {
			fmt.Fprintf(&b, " %s |", mb(r.ref))
		}
		b.WriteString("\n")
	}
	b.WriteString("\nThe targets of issue 9:\n\n| target | N | measured | goal | met |\n|---|---:|---:|---:|:---:|\n")
	for _, r := range rows {
		x := r.stream.Wall.Seconds() / r.plain.Wall.Seconds()
		fmt.Fprintf(&b, "| stream ÷ plain floor | %d | %.2f× | ≤ 1.50× | %s |\n", r.n, x, met(x <= 1.5))
	}
	for _, r := range rows {
		x := r.sky.Wall.Seconds() / r.stream.Wall.Seconds()
		fmt.Fprintf(&b, "| skycfg ÷ stream (how much faster svccfg is) | %d | %.2f× | ≥ 5.00× | %s |\n", r.n, x, met(x >= 5))
	}
	for _, r := range rows {
		extra := r.out.Wall.Seconds() - r.stream.Wall.Seconds()
		x := extra / r.fs.Wall.Seconds()
		fmt.Fprintf(&b, "| (-o − stream) ÷ fs floor: %.3f s ÷ %.3f s | %d | %.2f× | ≤ 1.20× | %s |\n", extra, r.fs.Wall.Seconds(), r.n, x, met(x <= 1.2))
	}
	for _, r := range rows {
		goal, ok := rssGoals[r.n]
		if !ok {
			continue
		}
		rss := max(r.stream.MaxRSS, r.out.MaxRSS)
		fmt.Fprintf(&b, "| peak RSS of stream and -o | %d | %.0f MB | ≤ %.0f MB | %s |\n", r.n, float64(rss)/1e6, goal/1e6, met(float64(rss) <= goal))
	}
	if len(rows) > 1 {
		first := rows[0]
		for _, r := range rows[1:] {
			for _, v := range []struct {
				name      string
				at, first benchfmt.Sample
			}{{"stream", r.stream, first.stream}, {"-o", r.out, first.out}} {
				x := (v.at.Wall.Seconds() / float64(r.n)) / (v.first.Wall.Seconds() / float64(first.n))
				fmt.Fprintf(&b, "| time per service, %s: at N ÷ at %d | %d | %.2f× | 1.00× (linear; met within %.0f%%) | %s |\n", v.name, first.n, r.n, x, (linearTolerance-1)*100, met(x <= linearTolerance))
			}
		}
	}
	b.WriteString("\nEqual work, checked once per N before timing (Kubernetes objects counted in svccfg's stream, Envoy resources in its -o tree; plain and skycfg count their own):\n\n")
	b.WriteString("| N | Kubernetes objects svccfg / plain / skycfg | Envoy resources svccfg / plain / skycfg | skycfg stream = svccfg stream | plain objects = svccfg JSON |\n|---:|---|---|:---:|---|\n")
	for _, r := range rows {
		c := r.check
		same := "no: differs"
		if c.skycfgSame {
			same = "byte-identical"
		}
		plain := "not compared"
		if c.plainCompared {
			plain = fmt.Sprintf("%d of %d differ (beyond empty fields)", c.plainDiffer, c.objects[0])
		}
		fmt.Fprintf(&b, "| %d | %d / %d / %d | %d / %d / %d | %s | %s |\n", r.n, c.objects[0], c.objects[1], c.objects[2], c.envoy[0], c.envoy[1], c.envoy[2], same, plain)
	}
	return b.String()
}

func secs(s benchfmt.Sample) string { return benchfmt.Secs(s.Wall) }

func mb(s benchfmt.Sample) string { return fmt.Sprintf("%.0f MB", float64(s.MaxRSS)/1e6) }

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
