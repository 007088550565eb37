package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Doc describes one route for the OpenAPI document. Request and response
// schemas are derived from the Go types the handlers really encode, so the
// document cannot describe a shape the code does not produce; a test holds
// real responses against it. Who may call the route is not here: the
// document names the roles of the route's authz, the rule the router applies.
type Doc struct {
	Summary   string
	Tag       string
	Request   any    // a value of the request body type, nil for none
	RequestCT string // content type when not application/json
	Responses map[int]any
	Query     []string // names of query parameters
}

// OpenAPI builds the OpenAPI 3.1 document of every route the router serves.
func OpenAPI() map[string]any {
	var entries []route
	for _, area := range routes() {
		entries = append(entries, area...)
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].Path != entries[j].Path {
			return entries[i].Path < entries[j].Path
		}
		return entries[i].Method < entries[j].Method
	})
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]any{}
	for _, e := range entries {
		oaPath, params := openapiPath(e.Path)
		item, _ := paths[oaPath].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[oaPath] = item
		}
		op := map[string]any{"summary": e.Doc.Summary, "tags": []string{e.Doc.Tag}, "operationId": operationID(e.Method, e.Path)}
		var ps []any
		for _, p := range params {
			ps = append(ps, map[string]any{"name": p, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range e.Doc.Query {
			ps = append(ps, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if len(ps) > 0 {
			op["parameters"] = ps
		}
		if e.Access.public {
			op["security"] = []any{}
		} else if len(e.Access.roles) > 0 {
			op["description"] = "Roles: " + strings.Join(e.Access.roles, ", ")
		}
		if e.Doc.Request != nil {
			ct := e.Doc.RequestCT
			if ct == "" {
				ct = "application/json"
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{ct: map[string]any{"schema": g.schema(reflect.TypeOf(e.Doc.Request))}}}
		}
		responses := map[string]any{}
		codes := make([]int, 0, len(e.Doc.Responses))
		for code := range e.Doc.Responses {
			codes = append(codes, code)
		}
		sort.Ints(codes)
		for _, code := range codes {
			body := e.Doc.Responses[code]
			r := map[string]any{"description": http.StatusText(code)}
			if body != nil {
				r["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(body))}}
			}
			responses[itoa3(code)] = r
		}
		responses["default"] = map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(errorBody{}))}}}
		op["responses"] = responses
		item[strings.ToLower(e.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Perfloop API", "version": "1",
			"description": "Performance-management cycles on Temporal. Authenticate with `Authorization: Bearer <token>`; errors share one shape."},
		"servers":    []any{map[string]any{"url": "/"}},
		"paths":      paths,
		"components": map[string]any{"schemas": g.defs, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
		"security":   []any{map[string]any{"bearer": []any{}}},
	}
}

func itoa3(code int) string {
	return string([]byte{byte('0' + code/100), byte('0' + code/10%10), byte('0' + code%10)})
}

func openapiPath(p string) (string, []string) {
	var params []string
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			params = append(params, s[1:])
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/"), params
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, s := range strings.Split(path, "/") {
		s = strings.TrimLeft(s, ":*")
		if s == "" || s == "api" || s == "v1" {
			continue
		}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// schemaGen turns Go types into JSON Schema (2020-12, as OpenAPI 3.1 uses),
// following encoding/json's rules: json tags, omitempty, embedded structs,
// pointers as nullable.
type schemaGen struct {
	defs map[string]any
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.schema(t.Elem())
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string"}
		}
		return map[string]any{"type": []any{"array", "null"}, "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": []any{"object", "null"}, "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := defName(t)
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder breaks recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func defName(t reflect.Type) string {
	name := t.Name()
	if i := strings.Index(name, "["); i >= 0 {
		// list[github.com/.../store.Team] → list_Team
		inner := name[i+1 : len(name)-1]
		if j := strings.LastIndex(inner, "."); j >= 0 {
			inner = inner[j+1:]
		}
		name = name[:i] + "_" + inner
	}
	pkg := t.PkgPath()
	if j := strings.LastIndex(pkg, "/"); j >= 0 {
		pkg = pkg[j+1:]
	}
	return pkg + "." + name
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var allOf []any
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		// encoding/json promotes the fields of an embedded unexported struct
		// (not of a pointer to one), so the document must too.
		if !f.IsExported() && !(f.Anonymous && f.Type.Kind() == reflect.Struct) {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				allOf = append(allOf, g.schema(ft))
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			required = append(required, name)
		}
	}
	sort.Strings(required)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	if len(allOf) > 0 {
		return map[string]any{"allOf": append(allOf, out)}
	}
	return out
}

func (s *Server) openapi(c *gin.Context) {
	c.JSON(http.StatusOK, OpenAPI())
}

// openapiPage is a dependency-free browsable view of the document: routes
// grouped by tag with their roles, bodies and responses.
func (s *Server) openapiPage(c *gin.Context) {
	c.Header("Content-Security-Policy", docsCSP)
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(openapiHTML))
}

const openapiHTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Perfloop API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1b1f24}
h2{border-bottom:1px solid #ddd;padding-bottom:.2em}details{margin:.3em 0;border:1px solid #e3e3e3;border-radius:6px;padding:.4em .8em}
summary{cursor:pointer}code{background:#f3f4f6;padding:0 .3em;border-radius:4px}.m{display:inline-block;width:4.5em;font-weight:600}
pre{background:#f6f8fa;padding:.6em;overflow:auto;max-height:24em}</style></head><body>
<h1>Perfloop API</h1><p>The machine-readable document: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a> (OpenAPI 3.1).</p>
<div id="out">Loading…</div><script>
fetch('/api/v1/openapi.json').then(r=>r.json()).then(doc=>{const byTag={};
for(const [p,item] of Object.entries(doc.paths))for(const [m,op] of Object.entries(item)){(byTag[op.tags[0]]=byTag[op.tags[0]]||[]).push([m,p,op])}
const out=document.getElementById('out');out.textContent='';
for(const tag of Object.keys(byTag).sort()){const h=document.createElement('h2');h.textContent=tag;out.appendChild(h);
for(const [m,p,op] of byTag[tag]){const d=document.createElement('details');const s=document.createElement('summary');
s.innerHTML='<span class="m"></span><code></code> ';s.children[0].textContent=m.toUpperCase();s.children[1].textContent=p;s.append(op.summary);
const pre=document.createElement('pre');pre.textContent=JSON.stringify(op,null,2);d.append(s,pre);out.appendChild(d)}}})
</script></body></html>`
