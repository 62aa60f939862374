package doc

import (
	"fmt"
	"strings"
)

const (
	lineWidth = 80 // the width prose is wrapped to
	maxColumn = 28 // the widest name column; longer names push their row's text right
)

// columnWidth returns the width of the name column of rows.
func columnWidth(rows [][2]string) int {
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	return min(width, maxColumn)
}

// writeRows writes rows of a name and a text, indented, the texts aligned.
func writeRows(b *strings.Builder, rows [][2]string) {
	width := columnWidth(rows)
	for _, r := range rows {
		line := fmt.Sprintf("  %-*s  %s", width, r[0], r[1])
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

// reflow wraps each paragraph of text (separated by blank lines) to width,
// every line starting with prefix. Paragraphs with indented lines are
// kept as they are.
func reflow(text, prefix string, width int) string {
	var paras []string
	for _, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if strings.Contains(p, "\n ") || strings.Contains(p, "\n-") {
			paras = append(paras, indent(p, prefix))
			continue
		}
		var b strings.Builder
		line := prefix
		for _, w := range strings.Fields(p) {
			if line != prefix && len(line)+1+len(w) > width {
				b.WriteString(line + "\n")
				line = prefix
			}
			if line != prefix {
				line += " "
			}
			line += w
		}
		paras = append(paras, b.String()+line)
	}
	return strings.Join(paras, "\n\n")
}

// indent returns text with prefix before each non-empty line.
func indent(text, prefix string) string {
	lines := strings.Split(strings.Trim(text, "\n"), "\n")
	for i, l := range lines {
		if l = strings.TrimRight(l, " \t"); l != "" {
			l = prefix + l
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// firstLine returns the first line of text.
func firstLine(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return line
}

// firstSentence returns the first sentence of a comment's first paragraph.
func firstSentence(comment string) string {
	para, _, _ := strings.Cut(strings.TrimSpace(comment), "\n\n")
	para = strings.Join(strings.Fields(para), " ")
	if i := strings.Index(para, ". "); i >= 0 {
		return para[:i+1]
	}
	return para
}

// stdlibTypes are the types that standard library docstrings use besides
// Starlark's own; see [eval.ParseSignature].
var stdlibTypes = []struct{ name, doc string }{
	{"Quantity", "a CPU or memory size: kube.cores(4), kube.millicores(250), kube.gigabytes(16), kube.megabytes(512), or a string in Kubernetes' syntax such as \"250m\" or \"16Gi\"."},
	{"Seconds", "a duration: a string such as \"30s\", \"10m\" or \"1m30s\" (whole seconds), or an int number of seconds."},
	{"Command", "a process to run, such as einhorn() returns, which may also set the port a service listens on."},
	{"Port", "a port a workload listens on: port.http, port.h2c, port.grpc or port.tcp."},
	{"Probe", "a health check: probe.http, probe.grpc, probe.tcp or probe.exec."},
	{"EnvSource", "an environment variable's value read when the pod starts: env.secret, env.config_map or env.field."},
	{"Volume", "storage mounted into containers: volume.empty_dir, volume.config_map, volume.secret, volume.pvc or volume.files."},
	{"Container", "an init container or sidecar: kube.container."},
	{"Security", "the security settings of pods: kube.security."},
	{"Unlimited", "no limit at all: kube.unlimited()."},
	{"Track", "one version of a service behind its Service: kube.track."},
	{"Shutdown", "how pods stop: kube.shutdown."},
	{"Rollout", "how a Deployment replaces its pods: kube.rollout."},
	{"Autoscale", "a HorizontalPodAutoscaler's bounds and targets: kube.autoscale."},
	{"Spread", "how pods spread across zones and nodes: kube.spread."},
	{"any", "a value of any type."},
}
