package canon

import "sort"

// Kind is the kind of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	NullKind Kind = iota
	BoolKind
	NumberKind
	StringKind
	ArrayKind
	ObjectKind
)

var kindNames = [...]string{"null", "bool", "number", "string", "array", "object"}

// String returns the JSON name of k: "null", "bool", "number", "string",
// "array" or "object".
func (k Kind) String() string { return kindNames[k] }

// A Node is a value in a JSON tree made by [ParseJSON]: a handle on the
// tree and the value's place in it. The tree is a canonical form of the
// JSON: strings are decoded, numbers keep their literal text, and an
// object's members are sorted by key in byte order, each key once.
//
// The zero Node is not a value; its methods panic.
type Node struct {
	t *tree
	i uint32
}

// tree holds the nodes of a parsed JSON value. It has no pointers but its
// strings, so the garbage collector neither scans nor write-barriers the
// nodes: strings are spans of the input or of the decoded strings.
type tree struct {
	src   string // the input
	dec   string // the strings that had escapes or invalid UTF-8, decoded
	nodes []node // each container's kids are contiguous
}

// A span is a string of a tree: src[off:off+n], or dec[off&^decBit:][:n]
// if off has decBit.
type span struct{ off, n uint32 }

const decBit = 1 << 31

type node struct {
	kind Kind
	key  span // the member's key, if the node is a member of an object
	// For a container, kids are nodes[a:a+b]; for a scalar, its text is
	// span{a, b}: a String's decoded value, a Number's literal, or
	// "true", "false" or "null".
	a, b uint32
}

func (t *tree) str(s span) string {
	if s.off&decBit != 0 {
		off := s.off &^ decBit
		return t.dec[off : off+s.n]
	}
	return t.src[s.off : s.off+s.n]
}

// text returns the text of scalar node nd.
func (t *tree) text(nd *node) string {
	if nd.kind >= ArrayKind {
		return ""
	}
	return t.str(span{nd.a, nd.b})
}

func (n Node) node() *node { return &n.t.nodes[n.i] }

// Kind returns the kind of n.
func (n Node) Kind() Kind { return n.node().kind }

// Text returns the value of a string, the literal text of a number (as
// written in the JSON, say "1.50e3"), "true" or "false" for a bool, "null"
// for null, and "" for arrays and objects.
func (n Node) Text() string { return n.t.text(n.node()) }

// Len returns the number of elements of an array or members of an object,
// and 0 for other kinds.
func (n Node) Len() int {
	if nd := n.node(); nd.kind >= ArrayKind {
		return int(nd.b)
	}
	return 0
}

// Index returns the i-th element of an array, or the member of an object
// with the i-th key in byte order; [Node.Key] gives that member's key.
// It panics if i is out of range.
func (n Node) Index(i int) Node {
	if i < 0 || i >= n.Len() {
		panic("canon: Node.Index out of range")
	}
	return Node{n.t, n.node().a + uint32(i)}
}

// Key returns the key of n if n is a member of an object, and "" otherwise.
func (n Node) Key() string { return n.t.str(n.node().key) }

// Get returns the member of object n called key, and whether there is one.
func (n Node) Get(key string) (Node, bool) {
	if i, ok := n.find(key); ok {
		return Node{n.t, i}, true
	}
	return Node{}, false
}

// Delete removes the member called key from object n, reporting whether
// there was one. It changes the tree that n is part of: Nodes got before
// from n's members may then refer to other members.
func (n Node) Delete(key string) bool {
	i, ok := n.find(key)
	if !ok {
		return false
	}
	nd := n.node()
	end := nd.a + nd.b
	copy(n.t.nodes[i:end], n.t.nodes[i+1:end])
	nd.b--
	return true
}

// find returns the index in n.t.nodes of the member of object n called key.
func (n Node) find(key string) (uint32, bool) {
	nd := n.node()
	if nd.kind != ObjectKind {
		return 0, false
	}
	kids := n.t.nodes[nd.a : nd.a+nd.b]
	i := sort.Search(len(kids), func(i int) bool { return n.t.str(kids[i].key) >= key })
	return nd.a + uint32(i), i < len(kids) && n.t.str(kids[i].key) == key
}
