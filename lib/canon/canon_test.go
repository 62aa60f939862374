package canon_test

import (
	"testing"

	"github.com/svccfg/svccfg/lib/canon"
)

func TestEncode(t *testing.T) {
	tree, err := canon.ParseJSON([]byte(`{"b": "<&>", "a": [1, "x: y"], "c": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		f    canon.Format
		want string
	}{
		{canon.YAML, "a:\n- 1\n- 'x: y'\nb: <&>\nc: {}\n"},
		{canon.JSON, "{\n  \"a\": [\n    1,\n    \"x: y\"\n  ],\n  \"b\": \"<&>\",\n  \"c\": {}\n}\n"},
	} {
		if got := canon.Encode(tree, test.f); string(got) != test.want {
			t.Errorf("Encode(tree, %s) = %q, want %q", test.f, got, test.want)
		}
	}
}

func TestStream(t *testing.T) {
	var trees []canon.Node
	for _, s := range []string{`{"kind": "A"}`, `{"kind": "B", "x": [1]}`} {
		n, err := canon.ParseJSON([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		trees = append(trees, n)
	}
	for _, test := range []struct {
		f    canon.Format
		want string
	}{
		{canon.YAML, "kind: A\n---\nkind: B\nx:\n- 1\n"},
		{canon.JSON, `{
  "apiVersion": "v1",
  "items": [
    {
      "kind": "A"
    },
    {
      "kind": "B",
      "x": [
        1
      ]
    }
  ],
  "kind": "List"
}
`},
	} {
		if got := canon.Stream(trees, test.f); string(got) != test.want {
			t.Errorf("Stream(trees, %s) = %q, want %q", test.f, got, test.want)
		}
	}
}

func TestList(t *testing.T) {
	var trees []canon.Node
	for _, s := range []string{`{"@type": "A", "b": [{}]}`, `"x"`} {
		n, err := canon.ParseJSON([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		trees = append(trees, n)
	}
	for _, test := range []struct {
		trees []canon.Node
		f     canon.Format
		want  string
	}{
		{trees, canon.YAML, "- '@type': A\n  b:\n  - {}\n- x\n"},
		{trees, canon.JSON, "[\n  {\n    \"@type\": \"A\",\n    \"b\": [\n      {}\n    ]\n  },\n  \"x\"\n]\n"},
		{nil, canon.YAML, "[]\n"},
		{nil, canon.JSON, "[]\n"},
	} {
		if got := canon.List(test.trees, test.f); string(got) != test.want {
			t.Errorf("List(%d trees, %s) = %q, want %q", len(test.trees), test.f, got, test.want)
		}
	}
}
