package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strings"
)

// decode fills t from doc, the tree the schema has checked, and reports
// what encoding/json would otherwise drop without a word: a whole number
// written as 3.0 for a count (valid JSON Schema integer, refused by Go's
// int), and numbers too large for the field (1e400).
func decode(c *errs, doc any, t *Template) {
	data, err := json.Marshal(wholeNumbers(doc))
	if err != nil {
		c.add("", nil, "the template cannot be read: "+err.Error())
		return
	}
	// Decoding carries on past a value of the wrong type, so the semantic
	// checks still see the rest and everything is reported in one pass.
	err = json.Unmarshal(data, t)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return
	}
	path := pathAt(data, te.Offset)
	for _, e := range c.list {
		if e.Path == path {
			return // the schema has said what is wrong here already
		}
	}
	c.typed = append(c.typed, path)
	value := strings.TrimPrefix(te.Value, "number ")
	switch te.Type.Kind() {
	case reflect.Float64, reflect.Int:
		c.add(path, value, "is too large a number to use")
	default:
		c.add(path, value, "cannot be read as "+te.Type.String())
	}
}

// wholeNumbers rewrites integral numbers such as 3.0 or 1e1 as 3 and 10,
// so the Go int fields read what the schema accepted as an integer.
func wholeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = wholeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = wholeNumbers(e)
		}
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") || len(x) > 40 {
			return x
		}
		r, ok := new(big.Rat).SetString(string(x))
		if ok && r.IsInt() && r.Num().IsInt64() {
			return json.Number(r.Num().String())
		}
	}
	return v
}

// pathAt finds the JSON pointer of the value that ends at offset in data,
// which holds valid JSON.
func pathAt(data []byte, offset int64) string {
	found := ""
	scan(data, func(path string, end int64) bool {
		if end <= offset {
			found = path
		}
		return end < offset
	}, nil)
	return found
}

// duplicateNames reports object members written twice: encoding/json keeps
// the last silently, so an indicator with two weights would lose one.
func duplicateNames(c *errs, data []byte) {
	scan(data, nil, func(path string) {
		c.add(path, nil, "is written twice in the same object; JSON keeps only the last one, so delete the other")
	})
}

// scan walks valid JSON, calling value with each scalar's pointer and end
// offset (until it returns false) and dup for each repeated member name.
func scan(data []byte, value func(path string, end int64) bool, dup func(path string)) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		path  string
		array bool
		index int
		names map[string]bool
		name  string // the member whose value comes next
		key   bool   // an object expects a name next
	}
	var stack []*frame
	// here is the pointer of the value about to be read.
	here := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.array {
			return f.path + ptr(f.index)
		}
		return f.path + ptr(f.name)
	}
	// done moves the parent on once a whole value has been read.
	done := func() {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.array {
			f.index++
		} else {
			f.key = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return // io.EOF once the document is read
		}
		if len(stack) > 0 && stack[len(stack)-1].key {
			if d, ok := tok.(json.Delim); !ok || d != '}' {
				f := stack[len(stack)-1]
				name, _ := tok.(string)
				if f.names[name] && dup != nil {
					dup(f.path + ptr(name))
				}
				f.names[name] = true
				f.name, f.key = name, false
				continue
			}
		}
		switch d, _ := tok.(json.Delim); d {
		case '{', '[':
			f := &frame{path: here(), array: d == '[', key: d == '{'}
			if !f.array {
				f.names = map[string]bool{}
			}
			stack = append(stack, f)
		case '}', ']':
			path := stack[len(stack)-1].path
			stack = stack[:len(stack)-1]
			if value != nil && !value(path, dec.InputOffset()) {
				return
			}
			done()
		default:
			if value != nil && !value(here(), dec.InputOffset()) {
				return
			}
			done()
		}
	}
}
