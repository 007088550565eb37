package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const miniSwagger = `{"swagger": "2.0", "definitions": {
  "io.k8s.api.apps.v1.Deployment": {
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "apps", "kind": "Deployment", "version": "v1"}],
    "properties": {"spec": {"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"}}},
  "io.k8s.api.apps.v1.DeploymentSpec": {
    "type": "object",
    "properties": {
      "maxSurge": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
      "labels": {"type": "object", "additionalProperties": {"type": "string"}},
      "cpu": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"}}},
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
  "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
  "io.k8s.api.core.v1.ConfigMap": {
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "", "kind": "ConfigMap", "version": "v1"}],
    "properties": {"data": {"type": "object", "additionalProperties": {"type": "string"}}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": {
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "", "kind": "DeleteOptions", "version": "v1"}, {"group": "apps", "kind": "DeleteOptions", "version": "v1"}]},
  "io.k8s.apiextensions.v1.JSONSchemaProps": {
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "apiextensions.k8s.io", "kind": "Props", "version": "v1"}],
    "properties": {"not": {"$ref": "#/definitions/io.k8s.apiextensions.v1.JSONSchemaProps"}}}
}}`

func TestSchemagenWritesStandaloneStrictSchemasNamedForKubeconform(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "swagger.json")
	require.NoError(t, os.WriteFile(src, []byte(miniSwagger), 0o644))
	out := filepath.Join(dir, "schemas")
	n, err := generate(src, out)
	require.NoError(t, err)
	require.Equal(t, 3, n, "Deployment, ConfigMap and Props; DeleteOptions names two kinds and is left out")

	read := func(name string) map[string]any {
		b, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		return m
	}
	dep := read("deployment-apps-v1.json")
	require.Equal(t, false, dep["additionalProperties"], "strict")
	spec := dep["properties"].(map[string]any)["spec"].(map[string]any)
	require.Equal(t, false, spec["additionalProperties"], "the inlined spec is strict too")
	props := spec["properties"].(map[string]any)
	require.Equal(t, []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}, props["maxSurge"].(map[string]any)["oneOf"])
	require.Equal(t, []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}, props["cpu"].(map[string]any)["oneOf"])
	require.Equal(t, map[string]any{"type": "string"}, props["labels"].(map[string]any)["additionalProperties"], "maps stay maps")

	require.Contains(t, read("configmap-v1.json"), "properties")
	self := read("props-apiextensions-v1.json")
	require.Equal(t, map[string]any{}, self["properties"].(map[string]any)["not"], "a recursive definition is cut open, not followed forever")
}

func TestSchemagenRefusesADanglingRef(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "swagger.json")
	require.NoError(t, os.WriteFile(src, []byte(`{"definitions": {"a.Kind": {"x-kubernetes-group-version-kind": [{"group": "", "kind": "Kind", "version": "v1"}],
		"properties": {"x": {"$ref": "#/definitions/missing"}}}}}`), 0o644))
	_, err := generate(src, filepath.Join(dir, "out"))
	require.ErrorContains(t, err, "#/definitions/missing: no such definition")
}
