package templates

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// Expression contexts: each names the variables an expression may read.
const (
	// CtxFormula is the final-score formula: total, quantitative, behaviour,
	// one variable per rater key, and score.X, metric.X, target.X.
	CtxFormula = "formula"
	// CtxCondition is an adjustment rule's condition: the formula's
	// variables, evaluated to true or false.
	CtxCondition = "condition"
	// CtxScoring is an indicator's scoring expression: value, baseline,
	// stretch, target and metric.X.
	CtxScoring = "scoring"
	// CtxStage is a stage's when: period, month, quarter, quarterEnd,
	// yearEnd and members.
	CtxStage = "stage"
)

// Env is the values an expression is evaluated with. Only the fields of
// the expression's context matter.
type Env struct {
	Vars    map[string]float64 // total, quantitative, behaviour, rater keys, value, baseline…
	Score   map[string]float64
	Metric  map[string]float64
	Target  map[string]float64
	Period  string
	Month   int
	Quarter int
	Members int
}

// Program is a compiled, checked expression.
type Program struct {
	src   string
	ctx   string
	prog  *vm.Program
	vars  []string            // number variables, zero unless given
	known map[string][]string // namespace members, zero unless given
}

// Source is the expression as written.
func (p *Program) Source() string { return p.src }

// Compile checks src in ctx against t: it must parse, name only known
// variables, and give a number (formula, scoring) or a boolean
// (condition, stage). The clock builtins are disabled so a result never
// depends on when it is evaluated.
func Compile(ctx, src string, t *Template) (*Program, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("the expression is empty")
	}
	if len(src) > 2000 {
		return nil, errors.New("the expression is longer than 2000 characters")
	}
	env, known := compileEnv(ctx, t)
	chk := &nameCheck{known: known}
	opts := []expr.Option{expr.Env(env), expr.DisableBuiltin("now"), expr.DisableBuiltin("date"), expr.Patch(chk), expr.MaxNodes(500)}
	switch ctx {
	case CtxFormula, CtxScoring:
		opts = append(opts, expr.AsFloat64())
	default:
		opts = append(opts, expr.AsBool())
	}
	prog, err := compileSafely(src, opts)
	if chk.err != nil {
		return nil, chk.err
	}
	if err != nil {
		return nil, errors.New(explain(firstLine(err.Error()), env))
	}
	if err := checkCost(src, known); err != nil {
		return nil, err
	}
	p := &Program{src: src, ctx: ctx, prog: prog, known: known}
	for k, v := range env {
		if _, ok := v.(float64); ok {
			p.vars = append(p.vars, k)
		}
	}
	return p, nil
}

// compileSafely turns a panic inside the expression compiler into an
// error: a template is user input and must never crash the server.
func compileSafely(src string, opts []expr.Option) (p *vm.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot compile this expression")
		}
	}()
	return expr.Compile(src, opts...)
}

// explain rewords the compiler's messages an admin would not follow:
// Go type names, disabled builtins, names without the ones that exist.
func explain(msg string, env map[string]any) string {
	gives := func(got string) string {
		switch got {
		case "bool":
			return "true or false"
		case "float64", "int":
			return "a number"
		case "string":
			return "text"
		}
		return got
	}
	switch {
	case strings.HasPrefix(msg, "expected float64, but got "):
		return "must give a number, but this gives " + gives(strings.TrimPrefix(msg, "expected float64, but got "))
	case strings.HasPrefix(msg, "expected bool, but got "):
		return "must give true or false, such as metric.x > 5, but this gives " + gives(strings.TrimPrefix(msg, "expected bool, but got "))
	case strings.HasPrefix(msg, "unknown name now ") || strings.HasPrefix(msg, "unknown name date "):
		return "now() and date() are not allowed: a score must not depend on when it is computed"
	case strings.HasPrefix(msg, "unknown name "):
		var names []string
		for k, v := range env {
			if _, ok := v.(map[string]float64); ok {
				k += ".X"
			}
			names = append(names, k)
		}
		sort.Strings(names)
		return msg + "; known: " + strings.Join(names, ", ")
	}
	return msg
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// compileEnv builds the typed environment of ctx and the names each
// namespace may use.
func compileEnv(ctx string, t *Template) (map[string]any, map[string][]string) {
	env := map[string]any{}
	known := map[string][]string{}
	var indicators, signals, raters []string
	if t != nil {
		for _, i := range t.Indicators {
			indicators = append(indicators, i.Key)
		}
		for _, s := range t.Signals {
			signals = append(signals, s.Key)
		}
		for _, r := range t.Raters {
			raters = append(raters, r.Key)
		}
	}
	switch ctx {
	case CtxStage:
		env["period"] = ""
		env["month"] = 0
		env["quarter"] = 0
		env["quarterEnd"] = false
		env["yearEnd"] = false
		env["members"] = 0
		return env, known
	case CtxScoring:
		for _, v := range []string{"value", "baseline", "stretch", "target"} {
			env[v] = 0.0
		}
		env["metric"] = floats(append(append([]string{}, indicators...), signals...))
		known["metric"] = append(append([]string{}, indicators...), signals...)
		return env, known
	}
	for _, v := range []string{"total", "quantitative", "behaviour"} {
		env[v] = 0.0
	}
	for _, r := range raters {
		if _, clash := env[r]; !clash {
			env[r] = 0.0
		}
	}
	metrics := append(append([]string{}, indicators...), signals...)
	env["score"] = floats(indicators)
	env["metric"] = floats(metrics)
	env["target"] = floats(indicators)
	known["score"], known["metric"], known["target"] = indicators, metrics, indicators
	return env, known
}

func floats(keys []string) map[string]float64 {
	m := make(map[string]float64, len(keys))
	for _, k := range keys {
		m[k] = 0
	}
	return m
}

// nameCheck refuses namespace members the template does not define:
// expr types a map's values but not its keys, and metric.fanGrowht must
// not silently read zero.
type nameCheck struct {
	known map[string][]string
	err   error
}

func (c *nameCheck) Visit(node *ast.Node) {
	m, ok := (*node).(*ast.MemberNode)
	if !ok || c.err != nil {
		return
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	if !ok {
		return
	}
	names, ok := c.known[id.Value]
	if !ok {
		return
	}
	prop, ok := m.Property.(*ast.StringNode)
	if !ok {
		c.err = fmt.Errorf("%s must be read with a fixed name, such as %s.%s", id.Value, id.Value, first(names, "key"))
		return
	}
	for _, n := range names {
		if n == prop.Value {
			return
		}
	}
	sorted := []string{}
	seen := map[string]bool{}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			sorted = append(sorted, n)
		}
	}
	sort.Strings(sorted)
	c.err = fmt.Errorf("unknown name %s.%s; known: %s", id.Value, prop.Value, strings.Join(sorted, ", "))
}

func first(xs []string, fallback string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return fallback
}

// Float evaluates a formula or scoring expression.
func (p *Program) Float(env Env) (float64, error) {
	out, err := p.run(env)
	if err != nil {
		return 0, err
	}
	f, ok := out.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("expression %q gave %v, not a finite number", p.src, out)
	}
	return f, nil
}

// Bool evaluates a condition or a stage's when.
func (p *Program) Bool(env Env) (bool, error) {
	out, err := p.run(env)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("expression %q gave %v, not true or false", p.src, out)
	}
	return b, nil
}

func (p *Program) run(env Env) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("expression %q failed: %v", p.src, r)
		}
	}()
	return expr.Run(p.prog, p.values(env))
}

// values lays env out in the shape the program was compiled against, with
// every known name present so a missing metric reads as zero rather than
// failing the whole cycle.
func (p *Program) values(env Env) map[string]any {
	m := map[string]any{}
	switch p.ctx {
	case CtxStage:
		m["period"] = env.Period
		m["month"] = env.Month
		m["quarter"] = env.Quarter
		m["quarterEnd"] = env.Month%3 == 0
		m["yearEnd"] = env.Month == 12
		m["members"] = env.Members
		return m
	}
	for _, v := range p.vars {
		m[v] = env.Vars[v]
	}
	given := map[string]map[string]float64{"score": env.Score, "metric": env.Metric, "target": env.Target}
	for ns, names := range p.known {
		full := make(map[string]float64, len(names))
		for _, n := range names {
			full[n] = given[ns][n]
		}
		m[ns] = full
	}
	return m
}
