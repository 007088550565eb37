// Command schemagen writes the JSON schemas kubeconform validates
// deploy/k8s against, from a Kubernetes OpenAPI v2 document (swagger.json),
// so CI needs no schema download: one file per kind, named the way
// kubeconform's -schema-location template {{.ResourceKind}}{{.KindSuffix}}
// expects (deployment-apps-v1.json, configmap-v1.json), standalone (every
// $ref inlined) and strict (no property a kind does not define).
//
//	go run ./deploy/k8s/schemagen -swagger swagger.json -out DIR
//
// CI takes the swagger.json of Kubernetes 1.27 that the k8s.io/kube-openapi
// module (already in go.sum) carries as test data; see .ci/run.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	swagger := flag.String("swagger", "", "Kubernetes OpenAPI v2 document (swagger.json)")
	out := flag.String("out", "", "directory to write the schemas to")
	flag.Parse()
	if *swagger == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: schemagen -swagger swagger.json -out DIR")
		os.Exit(2)
	}
	n, err := generate(*swagger, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d schemas to %s\n", n, *out)
}

type gvk struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// generate writes one schema per kind defined in the document.
func generate(swaggerPath, outDir string) (int, error) {
	raw, err := os.ReadFile(swaggerPath)
	if err != nil {
		return 0, err
	}
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return 0, fmt.Errorf("%s: %w", swaggerPath, err)
	}
	if len(doc.Definitions) == 0 {
		return 0, fmt.Errorf("%s: no definitions: not an OpenAPI v2 document", swaggerPath)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return 0, err
	}
	names := make([]string, 0, len(doc.Definitions))
	for name := range doc.Definitions {
		names = append(names, name)
	}
	sort.Strings(names)
	written := 0
	for _, name := range names {
		def := doc.Definitions[name]
		kinds, err := kindsOf(def)
		if err != nil {
			return written, fmt.Errorf("%s: %w", name, err)
		}
		// Shared types (DeleteOptions, WatchEvent) name many kinds at once; no manifest is one.
		if len(kinds) != 1 {
			continue
		}
		schema, err := inline(doc.Definitions, name, nil)
		if err != nil {
			return written, err
		}
		b, err := json.MarshalIndent(schema, "", "  ")
		if err != nil {
			return written, err
		}
		if err := os.WriteFile(filepath.Join(outDir, fileName(kinds[0])), b, 0o644); err != nil {
			return written, err
		}
		written++
	}
	return written, nil
}

func kindsOf(def map[string]any) ([]gvk, error) {
	raw, ok := def["x-kubernetes-group-version-kind"]
	if !ok {
		return nil, nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var kinds []gvk
	if err := json.Unmarshal(b, &kinds); err != nil {
		return nil, fmt.Errorf("x-kubernetes-group-version-kind: %w", err)
	}
	return kinds, nil
}

// fileName is kubeconform's {{.ResourceKind}}{{.KindSuffix}}.json: the kind
// in lower case, the first label of the group if any, the version.
func fileName(k gvk) string {
	suffix := "-" + strings.ToLower(k.Version)
	if k.Group != "" {
		suffix = "-" + strings.ToLower(strings.Split(k.Group, ".")[0]) + suffix
	}
	return strings.ToLower(k.Kind) + suffix + ".json"
}

const refPrefix = "#/definitions/"

// inline returns definition name with every $ref replaced by the definition
// it names. A definition that refers back to itself (only
// apiextensions' JSONSchemaProps does) is left open at the second visit.
func inline(defs map[string]map[string]any, name string, visiting []string) (any, error) {
	for _, v := range visiting {
		if v == name {
			return map[string]any{}, nil
		}
	}
	def, ok := defs[name]
	if !ok {
		return nil, fmt.Errorf("$ref %s%s: no such definition", refPrefix, name)
	}
	out, err := walk(defs, def, append(visiting, name))
	if err != nil {
		return nil, err
	}
	return special(name, out), nil
}

func walk(defs map[string]map[string]any, node any, visiting []string) (any, error) {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			if !strings.HasPrefix(ref, refPrefix) {
				return nil, fmt.Errorf("$ref %q: only %s… references are expected", ref, refPrefix)
			}
			return inline(defs, strings.TrimPrefix(ref, refPrefix), visiting)
		}
		out := make(map[string]any, len(n)+1)
		for k, v := range n {
			w, err := walk(defs, v, visiting)
			if err != nil {
				return nil, err
			}
			out[k] = w
		}
		if out["format"] == "int-or-string" {
			delete(out, "type")
			delete(out, "format")
			out["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}
		}
		// Strict: an object lists every property it allows. Maps
		// (additionalProperties given) and free-form objects stay as they are.
		if _, has := out["properties"]; has {
			if _, set := out["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			w, err := walk(defs, v, visiting)
			if err != nil {
				return nil, err
			}
			out[i] = w
		}
		return out, nil
	default:
		return node, nil
	}
}

// special widens the types YAML writes either way: a quantity is "500m" or 2.
func special(name string, schema any) any {
	if name != "io.k8s.apimachinery.pkg.api.resource.Quantity" {
		return schema
	}
	m, ok := schema.(map[string]any)
	if !ok {
		return schema
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != "type" && k != "format" {
			out[k] = v
		}
	}
	out["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}
	return out
}
