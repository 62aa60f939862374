package canon

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestParseJSON decodes tricky JSON and requires AppendJSON to write what
// json.Encoder writes for encoding/json's decoding of it, which shows that
// the two decoded the same value.
func TestParseJSON(t *testing.T) {
	for _, in := range []string{
		`""`, `"a\"b\\c\/d\be\ff\ng\rh\ti"`, `"\u0000\u001f\u0020\u007f\u0080\u00e9\u20ac\uFFFF"`,
		`"\ud83d\ude00"`, `"\uD83D\uDE00x"`, `"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\ud83d\ude00"`,
		`"\ud83d\u0041"`, `"\ude00\ud83d"`, `"\ud83d\\"`, "\"\xff\"", "\"a\xc3\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
		"\"é日😀\"", "\"\u2028\u2029\"", `"<&>"`, " \t\r\n[ 1 , 2 ]\n", `[]`, `{}`, `[[],{},[{}]]`,
		`{"b":1,"a":2,"b":3}`, `{"a":1,"a":{"x":1},"a":[]}`, `{"":0,"\u0000":1," ":2}`,
		`{"z":1,"y":2,"x":3,"w":4,"v":5,"u":6,"t":7,"s":8,"r":9,"q":10,"p":11,"o":12,"n":13,"o":14}`,
		`0`, `-0`, `-0.0e-0`, `1E+2`, `123456789012345678901234567890.5e-5`, `true`, `false`, `null`,
		`[true,false,null,1,"x",[1],{"a":null}]`, strings.Repeat(`[{"a":`, 50) + "1" + strings.Repeat("}]", 50),
	} {
		if !json.Valid([]byte(in)) {
			t.Fatalf("test input %q is not valid JSON", in)
		}
		checkEncoders(t, []byte(in))
	}
}

func TestParseJSONDepth(t *testing.T) {
	deep := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	n, err := ParseJSON([]byte(deep))
	if err != nil {
		t.Fatalf("ParseJSON(%d nested arrays): %v", maxDepth, err)
	}
	for range maxDepth - 1 {
		n = n.Index(0)
	}
	if n.Kind() != ArrayKind || n.Len() != 0 {
		t.Errorf("innermost of %d nested arrays = %v of length %d, want empty array", maxDepth, n.Kind(), n.Len())
	}
}

func TestParseJSONErrors(t *testing.T) {
	for _, test := range []struct{ in, want string }{
		{``, `invalid JSON: offset 0: got end of input, want a value`},
		{`   `, `invalid JSON: offset 3: got end of input, want a value`},
		{`x`, `invalid JSON: offset 0: got 'x', want a value`},
		{`{} {}`, `invalid JSON: offset 3: got '{' after the top-level value, want end of input`},
		{`[1,]`, `invalid JSON: offset 3: got ']', want a value`},
		{`[1 2]`, `invalid JSON: offset 3: got '2' after array element, want ',' or ']'`},
		{`[1`, `invalid JSON: offset 2: got end of input after array element, want ',' or ']'`},
		{`{"a" 1}`, `invalid JSON: offset 5: got '1' after object key, want ':'`},
		{`{"a":1,}`, `invalid JSON: offset 7: got '}', want string for object key`},
		{`{1:2}`, `invalid JSON: offset 1: got '1', want string for object key`},
		{`{"a":1 "b":2}`, `invalid JSON: offset 7: got '"' after object member, want ',' or '}'`},
		{`tru`, `invalid JSON: offset 0: got end of input in literal true`},
		{`nul1`, `invalid JSON: offset 0: got '1' in literal null`},
		{`False`, `invalid JSON: offset 0: got 'F', want a value`},
		{`01`, `invalid JSON: offset 1: got '1' after the top-level value, want end of input`},
		{`-`, `invalid JSON: offset 1: got end of input in number, want digit`},
		{`-a`, `invalid JSON: offset 1: got 'a' in number, want digit`},
		{`1.`, `invalid JSON: offset 2: got end of input after decimal point, want digit`},
		{`1.e3`, `invalid JSON: offset 2: got 'e' after decimal point, want digit`},
		{`1e+`, `invalid JSON: offset 3: got end of input in exponent, want digit`},
		{`.5`, `invalid JSON: offset 0: got '.', want a value`},
		{`+1`, `invalid JSON: offset 0: got '+', want a value`},
		{`"abc`, `invalid JSON: offset 4: got end of input in string, want '"'`},
		{`"a\`, `invalid JSON: offset 3: got end of input in string, want '"'`},
		{"\"a\nb\"", `invalid JSON: offset 2: got '\n' in string, want printable character or escape`},
		{"\"\\u00e9\t\"", `invalid JSON: offset 7: got '\t' in string, want printable character or escape`},
		{`"\x"`, `invalid JSON: offset 2: got 'x' after '\' in string, want one of "\/bfnrtu`},
		{`"\'"`, `invalid JSON: offset 2: got '\'' after '\' in string, want one of "\/bfnrtu`},
		{`"\u12G4"`, `invalid JSON: offset 3: got "12G4" after \u in string, want 4 hex digits`},
		{`"\u12"`, `invalid JSON: offset 3: got "12\"" after \u in string, want 4 hex digits`},
		{"\xff", `invalid JSON: offset 0: got byte 0xff, want a value`},
		{"[\"a\" \u00e9]", `invalid JSON: offset 5: got 'é' after array element, want ',' or ']'`},
		{strings.Repeat("[", maxDepth+1), `invalid JSON: offset 10000: got more than 10000 nested arrays and objects`},
		{strings.Repeat(`{"a":`, maxDepth+1), `invalid JSON: offset 50000: got more than 10000 nested arrays and objects`},
	} {
		n, err := ParseJSON([]byte(test.in))
		if err == nil {
			t.Errorf("ParseJSON(%.40q) = %s, want error %q", test.in, AppendJSON(nil, n), test.want)
			continue
		}
		if err.Error() != test.want {
			t.Errorf("ParseJSON(%.40q) error = %q, want %q", test.in, err, test.want)
		}
		if json.Valid([]byte(test.in)) {
			t.Errorf("ParseJSON(%.40q) fails, but encoding/json accepts it", test.in)
		}
	}
}

func TestNode(t *testing.T) {
	n, err := ParseJSON([]byte(`{"s": "x\ty", "n": 1.50, "b": true, "z": null, "a": [1, {}], "o": {"k": "v"}, "s": "last"}`))
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind() != ObjectKind || n.Len() != 6 || n.Key() != "" || n.Text() != "" {
		t.Fatalf("ParseJSON(...) = %v with %d members, want an object with 6", n.Kind(), n.Len())
	}
	var keys []string
	for i := range n.Len() {
		keys = append(keys, n.Index(i).Key())
	}
	if got, want := strings.Join(keys, " "), "a b n o s z"; got != want {
		t.Errorf("keys = %q, want %q", got, want)
	}
	for _, test := range []struct {
		key  string
		kind Kind
		text string
		len  int
	}{
		{"s", StringKind, "last", 0},
		{"n", NumberKind, "1.50", 0},
		{"b", BoolKind, "true", 0},
		{"z", NullKind, "null", 0},
		{"a", ArrayKind, "", 2},
		{"o", ObjectKind, "", 1},
	} {
		m, ok := n.Get(test.key)
		if !ok || m.Kind() != test.kind || m.Text() != test.text || m.Len() != test.len || m.Key() != test.key {
			t.Errorf("Get(%q) = %v %q of length %d (%v), want a %v %q of length %d", test.key, m.Kind(), m.Text(), m.Len(), ok, test.kind, test.text, test.len)
		}
	}
	a, _ := n.Get("a")
	if got := a.Index(1).Kind().String(); got != "object" {
		t.Errorf(`Get("a").Index(1).Kind() = %s, want object`, got)
	}
	if _, ok := n.Get("missing"); ok {
		t.Errorf(`Get("missing") found a member`)
	}
	if _, ok := a.Get("0"); ok {
		t.Errorf(`Get on an array found a member`)
	}
	if !n.Delete("n") || n.Delete("n") || n.Len() != 5 {
		t.Errorf(`Delete("n") twice: want true then false, and 5 members left`)
	}
	if _, ok := n.Get("n"); ok {
		t.Errorf(`Get("n") after Delete("n") found a member`)
	}
	o, _ := n.Get("o")
	if got, want := string(AppendJSON(nil, o)), "{\n  \"k\": \"v\"\n}\n"; got != want {
		t.Errorf("AppendJSON(o) = %q, want %q", got, want)
	}
	if got, want := string(AppendJSON(nil, n)), `{
  "a": [
    1,
    {}
  ],
  "b": true,
  "o": {
    "k": "v"
  },
  "s": "last",
  "z": null
}
`; got != want {
		t.Errorf("AppendJSON(n) = %q, want %q", got, want)
	}
}
