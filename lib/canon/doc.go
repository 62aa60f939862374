// Package canon: the canonical JSON tree and its YAML and JSON encodings,
// the one encoder of every manifest, golden and diff that svccfg writes
// (sorted keys, two-space YAML or indented JSON, a trailing newline).
// It imports nothing from svccfg: lib/build produces the JSON, lib/render
// lays the encoded objects out in files, lib/diff encodes both sides of a
// comparison with it.
//
// [ParseJSON] reads JSON into a tree of [Node] values: strings
// decoded, numbers as their literal text, object members sorted by key
// with duplicates dropped (the last wins), as encoding/json would decode
// it. The tree is one arena of pointer-free nodes whose strings are spans
// of one copy of the input, so parsing costs a few allocations and the
// garbage collector has nothing to scan in it.
//
// [AppendYAML] writes a tree as YAML, byte for byte as sigs.k8s.io/yaml
// writes the same JSON (JSONToYAML, that is go.yaml.in/yaml/v2 v2.4.4
// re-marshalling what it read): yaml.v2's natural key order, how it reads
// numbers back (1.0 becomes 1, 1e21 becomes 1e+21, -0 becomes 0), its
// choice of plain, single-quoted, double-quoted and literal styles, "? "
// for keys over 128 bytes or with line breaks, and its folding of long
// lines at column 80. [AppendJSON] writes a tree as json.Encoder does with
// two-space indentation and no HTML escaping. [Encode], [List] and
// [Stream] encode one tree, a list of trees, and a stream of Kubernetes
// objects in a [Format].
//
// Differential tests compare the encoders with those libraries on every
// golden document, a table of tricky values and fuzzed input (FuzzYAML);
// lib/render's tests compare them on every example in both formats.
//
// The YAML is a function of the value, as yaml.v2's emitter writes it. It
// differs from sigs.k8s.io/yaml.Marshal's only where that does not get the
// value back from the JSON text it makes:
//   - json.Marshal leaves U+0085 (NEL) unescaped, and yaml.v2's reader
//     folds it like a line break inside a quoted string: "a\u0085b" comes
//     back as "a b", and a key with it fails to parse. AppendYAML writes
//     the string: "a\Nb".
//   - yaml.v2's reader rejects U+007F, the C1 controls but U+0085, U+FFFE
//     and U+FFFF, and keys longer than 1024 characters, so
//     sigs.k8s.io/yaml.Marshal fails. AppendYAML writes what yaml.v2's
//     emitter writes for the string: "\x7F", or a "? " key.
//   - yaml.v2's key order is not transitive for some sets of keys (10 < 1a,
//     1a < 9, 9 < 10), and then depends on Go's random map order.
//     AppendYAML's is deterministic.
package canon
