package canon

// The oracles that the differential tests compare ParseJSON, AppendYAML and
// AppendJSON with: the libraries lib/render encoded with before them.

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	yamlv2 "go.yaml.in/yaml/v2"
	sigsyaml "sigs.k8s.io/yaml"
)

// decodeJSON decodes data as lib/render did before this encoder.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// oldYAML is the YAML encoder lib/render used before this one: sigs.k8s.io/yaml.Marshal, that
// is JSONToYAML(json.Marshal(v)).
func oldYAML(v any) ([]byte, error) { return sigsyaml.Marshal(v) }

// v2YAML is yaml.v2's Marshal of v with numbers as yaml.v2 reads them back.
// It is what JSONToYAML writes where JSONToYAML can read its input, and
// defines the output where it cannot: strings with characters yaml.v2's
// reader rejects (U+007F, C1 controls but U+0085, U+FFFE, U+FFFF), and
// keys over 1024 characters.
func v2YAML(v any) ([]byte, error) { return yamlv2.Marshal(toV2(v)) }

func toV2(v any) any {
	switch v := v.(type) {
	case json.Number:
		var x any
		if err := yamlv2.Unmarshal([]byte(v), &x); err != nil {
			panic(err)
		}
		return x
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = toV2(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = toV2(e)
		}
		return s
	}
	return v
}

// oldJSON is the JSON encoder lib/render used before this one.
func oldJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// oldEncode is the encoder in format f that lib/render used before this one.
func oldEncode(tree any, f Format) ([]byte, error) {
	if f == JSON {
		return oldJSON(tree)
	}
	return oldYAML(tree)
}

// hasCyclicKeys reports whether some object in v has keys that yaml.v2's
// order does not sort consistently (see naturalLess), so that yaml.v2's
// output depends on Go's map order.
func hasCyclicKeys(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k, e := range v {
			if hasCyclicKeys(e) {
				return true
			}
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if naturalLess(a, b) {
				return -1
			}
			if naturalLess(b, a) {
				return 1
			}
			return 0
		})
		for i := range keys {
			for j := i + 1; j < len(keys); j++ {
				if naturalLess(keys[j], keys[i]) {
					return true
				}
			}
		}
	case []any:
		return slices.ContainsFunc(v, hasCyclicKeys)
	}
	return false
}

// checkEncoders parses data and compares AppendYAML and AppendJSON with the
// oracles; data must be valid JSON.
func checkEncoders(t *testing.T, data []byte) {
	t.Helper()
	v, err := decodeJSON(data)
	if err != nil {
		t.Fatalf("decodeJSON(%q): %v", data, err)
	}
	n, err := ParseJSON(data)
	if err != nil {
		t.Fatalf("ParseJSON(%q): %v", data, err)
	}
	if want, err := oldJSON(v); err != nil {
		t.Fatalf("oldJSON(%q): %v", data, err)
	} else if got := AppendJSON(nil, n); !bytes.Equal(got, want) {
		t.Errorf("AppendJSON(%q) =\n%s\nwant\n%s", data, got, want)
	}
	if hasCyclicKeys(v) {
		return
	}
	got := AppendYAML(nil, n)
	want, err := v2YAML(v)
	if err != nil {
		t.Fatalf("v2YAML(%q): %v", data, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("AppendYAML(%q) =\n%q\nwant (yaml.v2)\n%q", data, got, want)
	}
	old, err := oldYAML(v)
	switch {
	case err != nil:
		if !strings.Contains(err.Error(), "control characters are not allowed") && !strings.Contains(err.Error(), "did not find expected ',' or '}'") {
			t.Errorf("sigs.k8s.io/yaml.Marshal(%q): unexpected error %v", data, err)
		}
	case hasNEL(v):
		// yaml.v2 reads a raw U+0085 in a double-quoted scalar as a line
		// break, and folds it.
	case !bytes.Equal(got, old):
		t.Errorf("AppendYAML(%q) =\n%q\nwant (sigs.k8s.io/yaml)\n%q", data, got, old)
	}
}

// hasNEL reports whether a string or key in v has U+0085, which
// json.Marshal writes unescaped.
func hasNEL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, 0x85)
	case map[string]any:
		for k, e := range v {
			if hasNEL(k) || hasNEL(e) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, hasNEL)
	}
	return false
}
