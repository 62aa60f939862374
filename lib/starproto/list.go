package starproto

import (
	"cmp"
	"fmt"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A RepeatedField is a repeated field of a message seen from Starlark: a
// list whose elements are checked as they are added, and which writes into
// the message. It has the methods of a list (append, extend, insert, pop,
// remove, clear, index).
type RepeatedField struct {
	owner *Message
	fd    protoreflect.FieldDescriptor
}

var (
	_ starlark.Sequence    = (*RepeatedField)(nil)
	_ starlark.Indexable   = (*RepeatedField)(nil)
	_ starlark.HasSetIndex = (*RepeatedField)(nil)
	_ starlark.Sliceable   = (*RepeatedField)(nil)
	_ starlark.HasBinary   = (*RepeatedField)(nil)
	_ starlark.HasAttrs    = (*RepeatedField)(nil)
	_ starlark.Comparable  = (*RepeatedField)(nil)
)

// list returns the field's current list, for reading.
func (r *RepeatedField) list() protoreflect.List { return r.owner.msg.Get(r.fd).List() }

// mutable returns the field's list for writing, attaching the owner first.
func (r *RepeatedField) mutable() (protoreflect.List, error) {
	if err := r.owner.checkMutable(); err != nil {
		return nil, err
	}
	r.owner.attach()
	return r.owner.msg.Mutable(r.fd).List(), nil
}

// String returns the elements as a list: `["a", "b"]`.
func (r *RepeatedField) String() string {
	var b strings.Builder
	writeList(&b, r.fd, r.list())
	return b.String()
}

// Type returns "list<T>", T the element type.
func (r *RepeatedField) Type() string { return "list<" + elemName(r.fd) + ">" }

// Freeze freezes the message the field belongs to.
func (r *RepeatedField) Freeze() { r.owner.Freeze() }

// Truth reports whether the list has elements.
func (r *RepeatedField) Truth() starlark.Bool { return r.Len() > 0 }

// Hash returns an error: lists are not hashable.
func (r *RepeatedField) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: %s", r.Type())
}

// Len returns the number of elements.
func (r *RepeatedField) Len() int { return r.list().Len() }

// Index returns element i.
func (r *RepeatedField) Index(i int) starlark.Value {
	return elemToStarlark(r.owner, r.fd, r.list().Get(i))
}

// Iterate iterates over the elements.
func (r *RepeatedField) Iterate() starlark.Iterator { return &listIterator{r: r} }

// Slice returns the elements from start to end by step, as a new list.
func (r *RepeatedField) Slice(start, end, step int) starlark.Value {
	var elems []starlark.Value
	for i := start; (step > 0 && i < end) || (step < 0 && i > end); i += step {
		elems = append(elems, r.Index(i))
	}
	return starlark.NewList(elems)
}

// SetIndex sets element i to v.
func (r *RepeatedField) SetIndex(i int, v starlark.Value) error {
	e, err := r.convert(v, i, 0)
	if err != nil {
		return err
	}
	list, err := r.mutable()
	if err != nil {
		return err
	}
	list.Set(i, e)
	return nil
}

// convert checks v for element i. An error is about argument arg of a list
// method, at prefix inside it.
func (r *RepeatedField) convert(v starlark.Value, i, arg int, prefix ...PathElem) (protoreflect.Value, error) {
	list := r.list()
	newMsg := func() protoreflect.Message { return r.owner.msg.NewField(r.fd).List().NewElement().Message() }
	if list.IsValid() {
		newMsg = func() protoreflect.Message { return list.NewElement().Message() }
	}
	e, err := writer{owner: r.owner}.scalar(r.fd, v, newMsg)
	if err != nil {
		return protoreflect.Value{}, r.elemError(err, i, arg, prefix)
	}
	return e, nil
}

// elemError is err, about v as element i, as the user sees it: about the
// owner's field, and, for a list method's argument, about the argument.
func (r *RepeatedField) elemError(err error, i, arg int, prefix []PathElem) error {
	inner := prefix
	if ve, ok := err.(*valueError); ok {
		inner = append(inner, ve.path()...)
	}
	err = messageError(r.owner.Type(), inField(atIndex(err, i), attrName(r.fd)))
	if a, ok := err.(*ArgError); ok {
		return &ArgError{Index: arg, Path: inner, Err: a.Err, AtKey: a.AtKey}
	}
	return err
}

// Append adds v at the end.
func (r *RepeatedField) Append(v starlark.Value) error {
	e, err := r.convert(v, r.Len(), 0)
	if err != nil {
		return err
	}
	list, err := r.mutable()
	if err != nil {
		return err
	}
	list.Append(e)
	return nil
}

// Binary implements + with a list, tuple or repeated field (giving a new
// list) and the in operator.
func (r *RepeatedField) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	switch op {
	case syntax.PLUS:
		seq, ok := y.(starlark.Indexable)
		if !ok {
			return nil, nil
		}
		if _, isStr := y.(starlark.String); isStr {
			return nil, nil
		}
		elems := make([]starlark.Value, 0, r.Len()+seq.Len())
		a, b := starlark.Indexable(r), seq
		if side == starlark.Right {
			a, b = seq, r
		}
		for _, s := range []starlark.Indexable{a, b} {
			for i := range s.Len() {
				elems = append(elems, s.Index(i))
			}
		}
		return starlark.NewList(elems), nil
	case syntax.IN:
		if side == starlark.Left {
			return nil, nil
		}
		i, err := r.indexOf(y)
		return starlark.Bool(i >= 0), err
	case syntax.NOT_IN:
		if side == starlark.Left {
			return nil, nil
		}
		in, err := r.Binary(syntax.IN, y, side)
		if err != nil {
			return nil, err
		}
		return !in.(starlark.Bool), nil
	}
	return nil, nil
}

// CompareSameType compares two repeated fields element by element.
func (r *RepeatedField) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	other := y.(*RepeatedField)
	x, yl := starlark.NewList(listElems(r)), starlark.NewList(listElems(other))
	return starlark.CompareDepth(op, x, yl, depth-1)
}

func listElems(r *RepeatedField) []starlark.Value {
	elems := make([]starlark.Value, r.Len())
	for i := range elems {
		elems[i] = r.Index(i)
	}
	return elems
}

var listMethods = map[string]*starlark.Builtin{
	"append": starlark.NewBuiltin("append", listAppend),
	"clear":  starlark.NewBuiltin("clear", listClear),
	"extend": starlark.NewBuiltin("extend", listExtend),
	"index":  starlark.NewBuiltin("index", listIndex),
	"insert": starlark.NewBuiltin("insert", listInsert),
	"pop":    starlark.NewBuiltin("pop", listPop),
	"remove": starlark.NewBuiltin("remove", listRemove),
}

// Attr returns the list method called name.
func (r *RepeatedField) Attr(name string) (starlark.Value, error) {
	if b, ok := listMethods[name]; ok {
		return b.BindReceiver(r), nil
	}
	return nil, nil
}

// AttrNames returns the names of the list methods.
func (r *RepeatedField) AttrNames() []string {
	return []string{"append", "clear", "extend", "index", "insert", "pop", "remove"}
}

func receiver(fn *starlark.Builtin) *RepeatedField { return fn.Receiver().(*RepeatedField) }

func listAppend(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	return starlark.None, receiver(fn).Append(v)
}

func listClear(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	r := receiver(fn)
	if err := r.owner.checkMutable(); err != nil {
		return nil, err
	}
	if r.Len() > 0 {
		r.owner.msg.Clear(r.fd)
	}
	return starlark.None, nil
}

func listExtend(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Iterable
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	r := receiver(fn)
	// Convert every element before changing the list: v may be r itself.
	var elems []protoreflect.Value
	iter := v.Iterate()
	defer iter.Done()
	var x starlark.Value
	for n, j := r.Len(), 0; iter.Next(&x); n, j = n+1, j+1 {
		e, err := r.convert(x, n, 0, PathElem{Index: j})
		if err != nil {
			return nil, err
		}
		elems = append(elems, e)
	}
	list, err := r.mutable()
	if err != nil {
		return nil, err
	}
	for _, e := range elems {
		list.Append(e)
	}
	return starlark.None, nil
}

func listIndex(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	i, err := receiver(fn).indexOf(v)
	if err != nil || i < 0 {
		return nil, cmp.Or(err, fmt.Errorf("index: value not in list"))
	}
	return starlark.MakeInt(i), nil
}

// indexOf returns the index of the first element equal to v, or -1.
func (r *RepeatedField) indexOf(v starlark.Value) (int, error) {
	for i := range r.Len() {
		if eq, err := starlark.Equal(r.Index(i), v); err != nil || eq {
			return i, err
		}
	}
	return -1, nil
}

func listInsert(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var i int
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2, &i, &v); err != nil {
		return nil, err
	}
	r := receiver(fn)
	n := r.Len()
	if i < 0 {
		i = max(0, i+n)
	}
	i = min(i, n)
	e, err := r.convert(v, i, 1)
	if err != nil {
		return nil, err
	}
	list, err := r.mutable()
	if err != nil {
		return nil, err
	}
	list.Append(e)
	for j := n; j > i; j-- {
		list.Set(j, list.Get(j-1))
	}
	list.Set(i, e)
	return starlark.None, nil
}

func listPop(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	r := receiver(fn)
	n := r.Len()
	i := n - 1
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0, &i); err != nil {
		return nil, err
	}
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return nil, fmt.Errorf("pop: index %d out of range [%d:%d]", i, -n, n)
	}
	v := r.Index(i)
	return v, r.removeAt(i)
}

func listRemove(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	r := receiver(fn)
	i, err := r.indexOf(v)
	if err != nil || i < 0 {
		return nil, cmp.Or(err, fmt.Errorf("remove: element not found"))
	}
	return starlark.None, r.removeAt(i)
}

func (r *RepeatedField) removeAt(i int) error {
	list, err := r.mutable()
	if err != nil {
		return err
	}
	for j := i; j+1 < list.Len(); j++ {
		list.Set(j, list.Get(j+1))
	}
	list.Truncate(list.Len() - 1)
	return nil
}

type listIterator struct {
	r *RepeatedField
	i int
}

func (it *listIterator) Next(p *starlark.Value) bool {
	if it.i >= it.r.Len() {
		return false
	}
	*p = it.r.Index(it.i)
	it.i++
	return true
}

func (it *listIterator) Done() {}
