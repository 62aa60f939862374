package diff

import "bytes"

// ANSI escapes for coloured diffs.
const (
	bold  = "\x1b[1m"
	red   = "\x1b[31m"
	green = "\x1b[32m"
	cyan  = "\x1b[36m"
	reset = "\x1b[0m"
)

// Colorize returns the unified diff d with ANSI colours, as a terminal
// shows them: file headers bold, hunk headers cyan, removed lines red and
// added lines green.
func Colorize(d []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(d) + len(d)/4)
	for len(d) > 0 {
		line := d
		if i := bytes.IndexByte(d, '\n'); i >= 0 {
			line = d[:i+1]
		}
		d = d[len(line):]
		var color string
		switch {
		case bytes.HasPrefix(line, []byte("diff ")), bytes.HasPrefix(line, []byte("--- ")), bytes.HasPrefix(line, []byte("+++ ")):
			color = bold
		case bytes.HasPrefix(line, []byte("@@")):
			color = cyan
		case bytes.HasPrefix(line, []byte("-")):
			color = red
		case bytes.HasPrefix(line, []byte("+")):
			color = green
		}
		if color == "" {
			b.Write(line)
			continue
		}
		text, nl := bytes.CutSuffix(line, []byte("\n"))
		b.WriteString(color)
		b.Write(text)
		b.WriteString(reset)
		if nl {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
