package templates

import (
	"encoding/json"
	"reflect"
	"sort"
)

// Change is one difference between two versions, at a JSON pointer.
type Change struct {
	Path string `json:"path"`
	Op   string `json:"op"` // added | removed | changed
	From any    `json:"from,omitempty"`
	To   any    `json:"to,omitempty"`
}

// Diff lists what changed from a to b, field by field. Lists of keyed
// items (indicators, stages, grades…) are matched by key, so reordering
// or inserting one item does not show every later item as changed.
func Diff(a, b *Template) []Change {
	var av, bv any
	if a != nil {
		av = toTree(a)
	}
	if b != nil {
		bv = toTree(b)
	}
	var out []Change
	diffValue(&out, "", av, bv)
	return out
}

func toTree(t *Template) any {
	data, err := json.Marshal(t)
	if err != nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil
	}
	return v
}

func diffValue(out *[]Change, path string, a, b any) {
	switch {
	case a == nil && b == nil:
		return
	case a == nil:
		*out = append(*out, Change{Path: path, Op: "added", To: b})
		return
	case b == nil:
		*out = append(*out, Change{Path: path, Op: "removed", From: a})
		return
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
			diffValue(out, path+ptr(k), x[k], y[k])
		}
		return
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		if keyed(x) && keyed(y) {
			diffKeyed(out, path, x, y)
			return
		}
		for i := 0; i < max(len(x), len(y)); i++ {
			var ai, bi any
			if i < len(x) {
				ai = x[i]
			}
			if i < len(y) {
				bi = y[i]
			}
			diffValue(out, path+ptr(i), ai, bi)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, Change{Path: path, Op: "changed", From: a, To: b})
	}
}

func keyed(xs []any) bool {
	if len(xs) == 0 {
		return false
	}
	seen := map[string]bool{}
	for _, v := range xs {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		k, ok := m["key"].(string)
		if !ok || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// diffKeyed reports keyed items at the index they hold in b (or in a, for
// removed ones), so the path points into the version the reader opens.
func diffKeyed(out *[]Change, path string, a, b []any) {
	index := func(xs []any) map[string]int {
		m := map[string]int{}
		for i, v := range xs {
			m[v.(map[string]any)["key"].(string)] = i
		}
		return m
	}
	ia, ib := index(a), index(b)
	var removed []string
	for k := range ia {
		if _, ok := ib[k]; !ok {
			removed = append(removed, k)
		}
	}
	sort.Slice(removed, func(i, j int) bool { return ia[removed[i]] < ia[removed[j]] })
	for _, k := range removed {
		*out = append(*out, Change{Path: path + ptr(ia[k]), Op: "removed", From: a[ia[k]]})
	}
	for j, v := range b {
		k := v.(map[string]any)["key"].(string)
		i, ok := ia[k]
		if !ok {
			*out = append(*out, Change{Path: path + ptr(j), Op: "added", To: v})
			continue
		}
		diffValue(out, path+ptr(j), a[i], v)
	}
}
