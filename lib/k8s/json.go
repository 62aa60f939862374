package k8s

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/svccfg/svccfg/lib/canon"
)

// AppendJSON appends the JSON encoding of v, a k8s.io/api value, to dst.
// It writes what encoding/json writes (without HTML escaping), with the
// custom encodings of Quantity, Time, IntOrString and the rest, except that
// it leaves out the empty values that encoding/json cannot: a struct field tagged omitempty
// whose value is the zero struct (`strategy: {}`, `resources: {}`,
// `targetPort: 0`), and a nil pointer, slice, map or interface field
// (`service: null`). Leaving either out decodes to the same Go value, so
// the manifest holds only what the configuration set.
func AppendJSON(dst []byte, v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return append(dst, "null"...), nil
	}
	return encoderOf(rv.Type())(dst, rv)
}

type encoderFunc func(dst []byte, v reflect.Value) ([]byte, error)

var encoders sync.Map // reflect.Type -> encoderFunc

func encoderOf(t reflect.Type) encoderFunc {
	if f, ok := encoders.Load(t); ok {
		return f.(encoderFunc)
	}
	// A recursive type (JSONSchemaProps) reaches itself while its encoder is
	// being made: it gets an indirection that waits for the real one.
	var (
		wg sync.WaitGroup
		f  encoderFunc
	)
	wg.Add(1)
	actual, loaded := encoders.LoadOrStore(t, encoderFunc(func(dst []byte, v reflect.Value) ([]byte, error) {
		wg.Wait()
		return f(dst, v)
	}))
	if loaded {
		return actual.(encoderFunc)
	}
	f = newEncoder(t)
	wg.Done()
	encoders.Store(t, f)
	return f
}

var (
	marshalerType = reflect.TypeFor[json.Marshaler]()
	bytesType     = reflect.TypeFor[[]byte]()
)

func newEncoder(t reflect.Type) encoderFunc {
	if t.Implements(marshalerType) {
		return marshalerEncoder
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType) {
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			if !v.CanAddr() {
				p := reflect.New(t)
				p.Elem().Set(v)
				v = p.Elem()
			}
			return marshalerEncoder(dst, v.Addr())
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		return func(dst []byte, v reflect.Value) ([]byte, error) { return strconv.AppendBool(dst, v.Bool()), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(dst []byte, v reflect.Value) ([]byte, error) { return strconv.AppendInt(dst, v.Int(), 10), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(dst []byte, v reflect.Value) ([]byte, error) { return strconv.AppendUint(dst, v.Uint(), 10), nil }
	case reflect.Float32, reflect.Float64:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			b, err := json.Marshal(v.Interface())
			return append(dst, b...), err
		}
	case reflect.String:
		return func(dst []byte, v reflect.Value) ([]byte, error) { return canon.AppendString(dst, v.String()), nil }
	case reflect.Interface:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(dst, "null"...), nil
			}
			e := v.Elem()
			return encoderOf(e.Type())(dst, e)
		}
	case reflect.Pointer:
		elem := t.Elem()
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(dst, "null"...), nil
			}
			return encoderOf(elem)(dst, v.Elem())
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(marshalerType) {
			return func(dst []byte, v reflect.Value) ([]byte, error) {
				if v.IsNil() {
					return append(dst, "null"...), nil
				}
				b := v.Convert(bytesType).Bytes()
				dst = append(dst, '"')
				dst = base64.StdEncoding.AppendEncode(dst, b)
				return append(dst, '"'), nil
			}
		}
		return sliceEncoder(t)
	case reflect.Array:
		return sliceEncoder(t)
	case reflect.Map:
		return mapEncoder(t)
	case reflect.Struct:
		return structEncoder(t)
	}
	return func([]byte, reflect.Value) ([]byte, error) {
		return nil, fmt.Errorf("k8s: cannot encode a %s as JSON", t)
	}
}

func marshalerEncoder(dst []byte, v reflect.Value) ([]byte, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return append(dst, "null"...), nil
	}
	b, err := v.Interface().(json.Marshaler).MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("k8s: encoding %s: %w", v.Type(), err)
	}
	return append(dst, b...), nil
}

func sliceEncoder(t reflect.Type) encoderFunc {
	elem := t.Elem()
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		if v.Kind() == reflect.Slice && v.IsNil() {
			return append(dst, "null"...), nil
		}
		enc := encoderOf(elem)
		dst = append(dst, '[')
		var err error
		for i := range v.Len() {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = enc(dst, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
}

func mapEncoder(t reflect.Type) encoderFunc {
	if t.Key().Kind() != reflect.String {
		return func([]byte, reflect.Value) ([]byte, error) {
			return nil, fmt.Errorf("k8s: cannot encode a %s as JSON: its keys are not strings", t)
		}
	}
	elem := t.Elem()
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		enc := encoderOf(elem)
		dst = append(dst, '{')
		var err error
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = canon.AppendString(dst, k.String())
			dst = append(dst, ':')
			if dst, err = enc(dst, v.MapIndex(k)); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
}

// A jsonField is a struct field as JSON sees it.
type jsonField struct {
	name      string // quoted, with the colon: `"name":`
	index     []int
	typ       reflect.Type
	omitEmpty bool
}

func structEncoder(t reflect.Type) encoderFunc {
	fields := jsonFields(t, nil)
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		dst = append(dst, '{')
		first := true
		var err error
		for i := range fields {
			f := &fields[i]
			fv, ok := fieldByIndex(v, f.index)
			if !ok || omit(f, fv) {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, f.name...)
			if dst, err = encoderOf(f.typ)(dst, fv); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
}

// fieldByIndex returns the field of v at index, or false if it is inside a
// nil embedded pointer.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// omit reports whether field f, of value v, is left out.
func omit(f *jsonField, v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Map, reflect.Slice:
		return v.IsNil() || f.omitEmpty && v.Len() == 0
	}
	if !f.omitEmpty {
		return false
	}
	switch v.Kind() {
	case reflect.Array, reflect.String:
		return v.Len() == 0
	case reflect.Struct:
		return v.IsZero()
	}
	return v.IsZero()
}

// jsonFields returns the fields of struct type t as encoding/json sees
// them, embedded and inline structs flattened, in order.
func jsonFields(t reflect.Type, index []int) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(slices.Clone(index), i)
		ft := sf.Type
		if sf.Anonymous && name == "" {
			st := ft
			if st.Kind() == reflect.Pointer {
				st = st.Elem()
			}
			if st.Kind() == reflect.Struct && !ft.Implements(marshalerType) {
				out = append(out, jsonFields(st, idx)...)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out = append(out, jsonField{
			name:      string(canon.AppendString(nil, name)) + ":",
			index:     idx,
			typ:       ft,
			omitEmpty: strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,"),
		})
	}
	return out
}
