package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed builtin/*.json
var builtinFS embed.FS

// File is a built-in template as shipped.
type File struct {
	Name string
	Data []byte
}

// BuiltinFiles returns the shipped templates in name order.
func BuiltinFiles() ([]File, error) {
	names, err := fs.Glob(builtinFS, "builtin/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]File, 0, len(names))
	for _, n := range names {
		data, err := builtinFS.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read built-in %s: %w", n, err)
		}
		out = append(out, File{Name: n, Data: data})
	}
	return out, nil
}

// ErrNoBuiltin means no shipped template has the key asked for.
var ErrNoBuiltin = errors.New("no built-in template has this key")

// BuiltinFile returns the shipped bytes of the built-in template with key.
func BuiltinFile(key string) ([]byte, error) {
	data, err := builtinFS.ReadFile("builtin/" + key + ".json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoBuiltin, key)
	}
	return data, err
}

// Builtins parses the shipped templates; a broken one is a bug, reported
// with its file name.
func Builtins() ([]*Template, error) {
	files, err := BuiltinFiles()
	if err != nil {
		return nil, err
	}
	out := make([]*Template, 0, len(files))
	for _, f := range files {
		t, errs := Parse(f.Data)
		if len(errs) > 0 {
			return nil, fmt.Errorf("built-in %s: %w", f.Name, errs)
		}
		out = append(out, t)
	}
	return out, nil
}
