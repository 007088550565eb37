package web

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// The UI is native ES modules with no build step. A module names another by
// a relative specifier ('./dom.js', '../api.js'); the browser caches each
// module by its full URL. So that a changed module is never served stale,
// load rewrites every specifier to carry the imported module's hash
// ('./dom.js?v=<hash>'), and a module's own hash is taken after that
// rewrite: a change anywhere below a module changes its URL too, up to the
// page, which is always revalidated. Every importer of a module names the
// same URL, so the browser instantiates each module once.

// specifierRe finds the relative module specifiers a script names: static
// imports and re-exports (from './x.js', import './x.js') and dynamic
// import('./x.js'). Group 1 is what precedes the specifier, 3 the path.
var specifierRe = regexp.MustCompile(`(\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.\.?/[^'"?#]+\.js)['"]`)

type specifier struct {
	start, end int    // the quoted specifier's byte range
	target     string // the module it resolves to, relative to the assets root
	dynamic    bool   // import(...): loaded on demand, not with its importer
}

func specifiers(name string, src []byte) []specifier {
	var out []specifier
	for _, m := range specifierRe.FindAllSubmatchIndex(src, -1) {
		lead := string(src[m[2]:m[3]])
		target := path.Join(path.Dir(name), string(src[m[6]:m[7]]))
		out = append(out, specifier{start: m[4], end: m[7] + 1, target: target, dynamic: strings.HasSuffix(strings.TrimSpace(lead), "(")})
	}
	return out
}

// stampModules turns the raw files into assets, rewriting each module's
// specifiers to hashed URLs. It fails on an import of a file that is not
// embedded and on an import cycle, which content hashes cannot name.
func stampModules(raw map[string][]byte) (map[string]*asset, error) {
	out := map[string]*asset{}
	const visiting = 1
	state := map[string]int{}
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		if out[name] != nil {
			return nil
		}
		if state[name] == visiting {
			return fmt.Errorf("web: module import cycle %s: content hashes cannot name a cycle; move the shared part into a module both import", strings.Join(append(chain, name), " -> "))
		}
		state[name] = visiting
		src := raw[name]
		if !strings.HasSuffix(name, ".js") {
			out[name] = newAsset(name, src)
			return nil
		}
		var b bytes.Buffer
		last := 0
		for _, sp := range specifiers(name, src) {
			if _, ok := raw[sp.target]; !ok {
				return fmt.Errorf("web: %s imports %s, which is not in web/assets", name, sp.target)
			}
			if err := visit(sp.target, append(chain, name)); err != nil {
				return err
			}
			quoted := src[sp.start:sp.end]
			b.Write(src[last:sp.start])
			b.Write(quoted[:len(quoted)-1])
			b.WriteString("?v=" + strings.Trim(out[sp.target].etag, `"`))
			b.WriteByte(quoted[len(quoted)-1])
			last = sp.end
		}
		b.Write(src[last:])
		out[name] = newAsset(name, b.Bytes())
		return nil
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := visit(name, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pageModuleRe finds the modules a page loads: its module scripts and the
// modules it asks to preload.
var pageModuleRe = regexp.MustCompile(`<(?:script type="module" src|link rel="modulepreload" href)="/ui/([^"?]+\.js)"`)

// preloadModules adds a modulepreload link, before </head>, for every
// module the page's modules import statically, so the browser fetches them
// all at once rather than discovering them one level at a time. Modules
// loaded by import() wait until a screen asks for them.
func preloadModules(page []byte, raw map[string][]byte) []byte {
	listed := map[string]bool{}
	var queue []string
	for _, m := range pageModuleRe.FindAllSubmatch(page, -1) {
		listed[string(m[1])] = true
		queue = append(queue, string(m[1]))
	}
	var extra []string
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, sp := range specifiers(name, raw[name]) {
			if !sp.dynamic && !listed[sp.target] {
				listed[sp.target] = true
				extra = append(extra, sp.target)
				queue = append(queue, sp.target)
			}
		}
	}
	var links strings.Builder
	for _, name := range extra {
		links.WriteString(`<link rel="modulepreload" href="/ui/` + name + `">` + "\n")
	}
	return bytes.Replace(page, []byte("</head>"), []byte(links.String()+"</head>"), 1)
}
