package canon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	sigsyaml "sigs.k8s.io/yaml"
)

// trickyStrings are strings whose YAML style is not obvious.
var trickyStrings = []string{
	"", " x", "x ", " ", "  ", "x", "true", "True", "TRUE", "yes", "Yes", "no", "on", "off", "y", "n",
	"null", "Null", "~", "<<", "1", "-1", "+1", "1.5", ".5", "-.5", "1.", "0x10", "0o17", "017", "0b101",
	"-0b101", "0b-1", "0b2", "1_000", "1__0", "_1", "1e3", "1E3", "1e", "1.5e+3", ".inf", "-.inf", ".nan",
	".git", "./x", "12:30", "1:2:3.5", "-1:30", "190:20:30", "1:60", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
	"2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z", "1234-56", "9223372036854775807",
	"9223372036854775808", "18446744073709551616", "-9223372036854775809", "1e400", "250m", "1Gi", "25%",
	"1.0.0", "10-20", "8080", "a: b", "a:b", "a:", "x:", "a #b", "a#b", "#x", "- x", "-x", "-", "--", "---",
	"--- x", "...", "?x", "? x", "?", ":x", ": x", ",x", "x,y", "[x]", "{x}", "x]", "*x", "&x", "!x", "|x",
	">x", "%x", "@x", "`x", "'x'", "\"x\"", "x'y", "x\"y", "x\\y", "a\nb", "a\n", "a\n\n", "\n", "\n\n",
	"\nx", " \nx", "x \ny", "x\n y", "a\n\nb\n", "x\t", "\tx", "a\tb", "a\rb", "a\r\nb", "\u00e9t\u00e9",
	"日本語", "😀", "a😀b", "\u0001", "\u0000", "\u007f", "\u0085", "x\u0085y", "\u00a0", "a\u00a0b",
	"\u2028", "a\u2028b", "a\u2029b\n", "\ufeff", "\ufeffab c", "a\ufeffb", "\ufffd", "\uffff", "\ue000",
	"\u001b[0m",
	strings.Repeat("word ", 20), strings.Repeat("x", 100), strings.Repeat("word ", 20) + "end",
	strings.Repeat("a b", 40) + "  c  d" + strings.Repeat(" e", 30),
	"'" + strings.Repeat("quoted ", 20) + "'", strings.Repeat("x: y ", 30), strings.Repeat("\"q\" ", 30),
	"\t" + strings.Repeat("tab ", 30), strings.Repeat("é ", 50), strings.Repeat("日本 ", 40),
	strings.Repeat("line one two three\n", 5), strings.Repeat("long line ", 12) + "\n" + strings.Repeat("x ", 50),
	strings.Repeat("ab ", 27) + "  " + strings.Repeat("cd ", 10) + "\t",
}

func TestYAMLStrings(t *testing.T) {
	for _, s := range trickyStrings {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, tmpl := range []string{`%s`, `[%s]`, `{"k": %s}`, `{"a": {"b": [%s, [%s]]}}`, `{%s: 1}`, `[{%s: [%s]}]`, `{%s: {%s: %s}}`} {
			data := strings.ReplaceAll(tmpl, "%s", string(b))
			checkEncoders(t, []byte(data))
		}
	}
}

func TestYAMLNumbers(t *testing.T) {
	for _, lit := range []string{
		"0", "-0", "1", "-1", "1.0", "-0.0", "0.0", "1.5", "1e3", "1E3", "1e+3", "1e-3", "1e21", "1e20", "1e-7",
		"1e-6", "123456789012345678", "1234567890123456789", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
		"123456789012345678901234567890", "1e400", "-1e400", "1e-400", "0.1", "100000000000000000000",
		"1.7976931348623157e308", "4.9e-324", "5e-324", "0e0", "-0e-0", "3.14159265358979323846",
	} {
		checkEncoders(t, []byte(lit))
		checkEncoders(t, []byte(`{"n": [`+lit+`, {"m": `+lit+`}]}`))
	}
}

func TestYAMLStructure(t *testing.T) {
	for _, data := range []string{
		`null`, `true`, `false`, `{}`, `[]`, `[[]]`, `[{}]`, `{"a":{}}`, `{"a":[]}`, `[[[]]]`, `[[1,2],[3]]`,
		`[[[1]],[[2,[3]]]]`, `{"a":[[1],[{"b":[]}]]}`, `[{"a":1,"b":[{"c":{}}]}]`, `{"a":null,"b":true,"c":false}`,
		`{"a10":1,"a9":2,"A":3,"b":4,"10":5,"9":6,"a":7,"_":8,"-":9,"a_b":10,"aB":11,"":12}`,
		`{"a01":1,"a1":2,"a001":3,"a0":4,"a00":5,"1.5":6,"1.10":7,"x2y":8,"x10y":9}`,
		`{"é":1,"e":2,"f":3,"日":4,"٣":5,"3":6}`,
		`{"b":1,"a":2,"b":3}`, `{"a":{"x":1},"a":[2]}`,
		`{"` + strings.Repeat("k", 128) + `":1,"` + strings.Repeat("k", 129) + `":[1,{"x":2}],"z":{"` + strings.Repeat("k", 200) + `":{}}}`,
		`{"` + strings.Repeat("k ", 100) + `":"v"}`, `{"a\nb":{"c":1}}`, `{"a\nb":[1]}`, `{"a\u2028b":1}`,
		`{"` + strings.Repeat("k", 1100) + `":1}`, `[{"a\n":[]}]`, `{"a":"x\ny","b":[" \nz"],"c":{"d":"\n"}}`,
		`[[{"a":"b\nc"}]]`, `["\u007f"]`, `{"\u0085":1}`,
	} {
		checkEncoders(t, []byte(data))
	}
}

// goldenDocs returns the YAML documents of the golden files.
func goldenDocs(t testing.TB) map[string][]byte {
	docs := make(map[string][]byte)
	err := filepath.WalkDir("../../golden", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, doc := range strings.SplitAfter(string(data), "\n---\n") {
			docs[fmt.Sprintf("%s#%d", filepath.ToSlash(path), i)] = []byte(strings.TrimSuffix(doc, "---\n"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no golden files")
	}
	return docs
}

// TestGoldenDocs converts every golden YAML document to JSON and requires
// ParseJSON and AppendYAML to give the document back, and the encoders to
// agree with the oracles.
func TestGoldenDocs(t *testing.T) {
	docs := goldenDocs(t)
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		t.Run(name, func(t *testing.T) {
			data, err := sigsyaml.YAMLToJSON(docs[name])
			if err != nil {
				t.Fatal(err)
			}
			checkEncoders(t, data)
			n, err := ParseJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			if got := AppendYAML(nil, n); !bytes.Equal(got, docs[name]) {
				t.Errorf("AppendYAML(ParseJSON(YAMLToJSON(doc))) =\n%s\nwant\n%s", got, docs[name])
			}
		})
	}
}

// FuzzYAML compares ParseJSON, AppendYAML and AppendJSON with the oracles
// on arbitrary JSON; input that is not JSON must be rejected, and is then
// tried as the contents of a string, in a few places in a tree.
func FuzzYAML(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{"a":[1,"x",{"b":null}],"c":{"d":[[]],"e":{}}}`, `[1.5e3,-0,true,false]`, "\t{\"k\" : \"a\\u00e9\\ud83d\\ude00\\n\" }\r\n"} {
		f.Add([]byte(s))
	}
	for _, doc := range goldenDocs(f) {
		if data, err := sigsyaml.YAMLToJSON(doc); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseJSON(data)
		if json.Valid(data) {
			if err != nil {
				t.Fatalf("ParseJSON(%q): %v; encoding/json accepts it", data, err)
			}
			checkEncoders(t, data)
			return
		}
		if err == nil {
			t.Fatalf("ParseJSON(%q) succeeded; encoding/json rejects it", data)
		}
		if !utf8.Valid(data) {
			return
		}
		s, _ := json.Marshal(string(data))
		for _, tmpl := range []string{`%s`, `{"k": [%s]}`, `{%s: [%s]}`} {
			checkEncoders(t, []byte(strings.ReplaceAll(tmpl, "%s", string(s))))
		}
	})
}
