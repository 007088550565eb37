// Package templates owns the process-template DSL: the Go types admins'
// JSON decodes into, the embedded JSON Schema (2020-12), the semantic checks
// that run after it, ISO 8601 durations, the expression environment, version
// diffs and the built-in templates.
//
// Everything here is pure: it must never import store, api, Temporal or any
// other framework, because workflows use these types inside deterministic
// code and the validator runs in the CLI, the API and a fuzz target alike.
package templates
