package templates

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// ErrTooCostly means an expression could take too long, or build too much,
// to evaluate: a scoring expression runs once per member, and one that
// loops over loops stalls the whole cycle's scoring.
var ErrTooCostly = errors.New("this expression could take too long to evaluate")

// OnlyTooCostly reports whether every problem is an expression over the
// cost bound, the one check a template published before the bound existed
// can fail.
func (es Errors) OnlyTooCostly() bool {
	for _, e := range es {
		if !strings.HasPrefix(e.Message, ErrTooCostly.Error()) {
			return false
		}
	}
	return len(es) > 0
}

// Limits on one evaluation of an expression: steps (an operation, or one
// pass of a map/filter/reduce body) and the longest list or text it may
// build. Real formulas take tens of steps; 10,000 members × 12 indicators
// × maxSteps is still well under a minute of scoring.
const (
	maxSteps = 10_000
	maxItems = 10_000
)

// checkCost bounds what evaluating src can cost, from its syntax alone, so
// the bound holds for every member's values: ranges need fixed bounds, a
// loop's body counts once per item, a let variable carries its length.
// known is the number of names in each namespace (metric, score, target).
func checkCost(src string, known map[string][]string) error {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil // Compile reports syntax errors in its own words
	}
	c := &coster{vars: map[string]size{}, known: known}
	b := c.of(tree.Node)
	switch {
	case c.err != nil:
		return c.err
	case b.work > maxSteps:
		return fmt.Errorf("%w: it could take about %s steps for each member (at most %d); use short fixed ranges and fewer nested map, filter or reduce", ErrTooCostly, about(b.work), maxSteps)
	}
	return nil
}

// size is how long a value may be: items of a list (or characters of a
// text) and, for a list of lists or texts, the length of each item.
type size struct{ n, elem float64 }

// bound is what evaluating a node may cost and how long its value may be.
type bound struct {
	work float64
	size
}

type coster struct {
	vars    map[string]size // let variables in scope
	pointer []size          // the item (#) of each enclosing loop
	acc     bool            // inside reduce, where #acc may grow each pass
	known   map[string][]string
	err     error
}

func (c *coster) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: "+format, append([]any{ErrTooCostly}, args...)...)
	}
}

func (c *coster) of(node ast.Node) bound {
	b := c.node(node)
	if b.n > maxItems || b.n*math.Max(1, b.elem) > maxItems {
		c.fail("it could build a list or text of about %s items (at most %d)", about(b.n*math.Max(1, b.elem)), maxItems)
	}
	return b
}

func (c *coster) node(node ast.Node) bound {
	one := bound{work: 1}
	switch n := node.(type) {
	case *ast.NilNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return one
	case *ast.StringNode:
		return bound{work: 1, size: size{n: float64(len(n.Value))}}
	case *ast.BytesNode:
		return bound{work: 1, size: size{n: float64(len(n.Value))}}
	case *ast.ConstantNode:
		v := reflect.ValueOf(n.Value)
		if k := v.Kind(); k == reflect.Slice || k == reflect.Array || k == reflect.String || k == reflect.Map {
			return bound{work: 1, size: size{n: float64(v.Len())}}
		}
		return one
	case *ast.IdentifierNode:
		if s, ok := c.vars[n.Value]; ok {
			return bound{work: 1, size: s}
		}
		if names, ok := c.known[n.Value]; ok {
			return bound{work: 1, size: size{n: float64(len(names))}}
		}
		if n.Value == "period" {
			return bound{work: 1, size: size{n: float64(len("2006-01"))}}
		}
		return one
	case *ast.PointerNode:
		switch {
		case n.Name == "acc":
			// The accumulator may grow on every pass; assume the worst so
			// reduce(…, #acc + #acc) cannot double its way past any bound.
			return bound{work: 1, size: size{n: maxItems}}
		case n.Name == "" && len(c.pointer) > 0:
			return bound{work: 1, size: size{n: c.pointer[len(c.pointer)-1].elem}}
		}
		return one
	case *ast.UnaryNode:
		b := c.of(n.Node)
		b.work++
		return b
	case *ast.BinaryNode:
		return c.binary(n)
	case *ast.ChainNode:
		return c.of(n.Node)
	case *ast.MemberNode:
		base, prop := c.of(n.Node), c.of(n.Property)
		return bound{work: base.work + prop.work + 1, size: size{n: base.elem}}
	case *ast.SliceNode:
		b := c.of(n.Node)
		w := b.work + b.n
		if n.From != nil {
			w += c.of(n.From).work
		}
		if n.To != nil {
			w += c.of(n.To).work
		}
		return bound{work: w, size: b.size}
	case *ast.CallNode:
		w := c.of(n.Callee).work
		for _, a := range n.Arguments {
			ab := c.of(a)
			w += ab.work + ab.n
		}
		return bound{work: w + 1}
	case *ast.BuiltinNode:
		return c.builtin(n)
	case *ast.PredicateNode:
		return c.of(n.Node)
	case *ast.ConditionalNode:
		cond, a, b := c.of(n.Cond), c.of(n.Exp1), c.of(n.Exp2)
		return bound{work: cond.work + math.Max(a.work, b.work), size: size{n: math.Max(a.n, b.n), elem: math.Max(a.elem, b.elem)}}
	case *ast.VariableDeclaratorNode:
		v := c.of(n.Value)
		prev, had := c.vars[n.Name]
		c.vars[n.Name] = v.size
		e := c.of(n.Expr)
		if had {
			c.vars[n.Name] = prev
		} else {
			delete(c.vars, n.Name)
		}
		return bound{work: v.work + e.work, size: e.size}
	case *ast.SequenceNode:
		var out bound
		for _, x := range n.Nodes {
			b := c.of(x)
			out = bound{work: out.work + b.work, size: b.size}
		}
		return out
	case *ast.ArrayNode:
		return c.literal(n.Nodes)
	case *ast.MapNode:
		return c.literal(n.Pairs)
	case *ast.PairNode:
		k, v := c.of(n.Key), c.of(n.Value)
		return bound{work: k.work + v.work, size: v.size}
	}
	c.fail("it uses %T, whose cost cannot be judged", node)
	return one
}

func (c *coster) binary(n *ast.BinaryNode) bound {
	if n.Operator == ".." {
		lo, okLo := whole(n.Left)
		hi, okHi := whole(n.Right)
		if !okLo || !okHi {
			c.fail("a range needs fixed whole-number bounds, such as 1..12")
			return bound{work: 1}
		}
		items := math.Max(0, float64(hi)-float64(lo)+1)
		return bound{work: 1 + items, size: size{n: items}}
	}
	l, r := c.of(n.Left), c.of(n.Right)
	out := bound{work: l.work + r.work + 1}
	switch n.Operator {
	case "+":
		out.n, out.elem = l.n+r.n, math.Max(l.elem, r.elem) // text and lists join
	case "??":
		out.size = size{n: math.Max(l.n, r.n), elem: math.Max(l.elem, r.elem)}
	case "in", "not in", "contains", "startsWith", "endsWith", "matches", "==", "!=":
		out.work += l.n + r.n // a search or comparison walks its operands
	}
	return out
}

// whole reads a whole-number literal, negative or not.
func whole(n ast.Node) (int64, bool) {
	switch x := n.(type) {
	case *ast.IntegerNode:
		return int64(x.Value), true
	case *ast.UnaryNode:
		if v, ok := whole(x.Node); ok && x.Operator == "-" {
			return -v, true
		}
	}
	return 0, false
}

// builtin costs a loop (map, filter, reduce…) as its body once per item,
// and any other builtin as a walk over its arguments.
func (c *coster) builtin(n *ast.BuiltinNode) bound {
	var pred *ast.PredicateNode
	if len(n.Arguments) > 1 {
		pred, _ = n.Arguments[1].(*ast.PredicateNode)
	}
	if pred != nil {
		coll := c.of(n.Arguments[0])
		out := bound{work: coll.work + coll.n}
		c.pointer = append(c.pointer, coll.size)
		acc := c.acc
		c.acc = c.acc || n.Name == "reduce"
		body := c.of(pred)
		c.acc = acc
		c.pointer = c.pointer[:len(c.pointer)-1]
		out.work += coll.n * (body.work + 1)
		start := size{n: coll.elem}
		for _, a := range n.Arguments[2:] {
			b := c.of(a)
			out.work += b.work
			start = b.size
		}
		switch n.Name {
		case "map":
			out.size = size{n: coll.n, elem: body.n}
		case "filter", "sortBy":
			out.size = coll.size
			out.work += coll.n * math.Log2(coll.n+1)
		case "groupBy":
			out.size = size{n: coll.n, elem: coll.n}
		case "find", "findLast":
			out.n = coll.elem
		case "reduce":
			out.size = body.size
			if body.n >= maxItems {
				// The body passed #acc on without growing it (or it would
				// have failed above): the result is as long as the start.
				out.size = start
			}
		}
		return out
	}
	args := make([]bound, len(n.Arguments))
	out := bound{work: 1}
	var total, longest float64
	for i, a := range n.Arguments {
		args[i] = c.of(a)
		out.work += args[i].work + args[i].n
		total += args[i].n * math.Max(1, args[i].elem)
		longest = math.Max(longest, args[i].elem)
	}
	arg := func(i int) bound {
		if i < len(args) {
			return args[i]
		}
		return bound{}
	}
	switch n.Name {
	case "len", "abs", "ceil", "floor", "round", "int", "float", "max", "min", "mean", "median", "sum", "count",
		"indexOf", "lastIndexOf", "hasPrefix", "hasSuffix", "first", "last", "get", "bitnot", "all", "any", "none", "one":
		if n.Name == "first" || n.Name == "last" || n.Name == "get" {
			out.n = arg(0).elem
		}
	case "repeat":
		var k int64
		ok := len(n.Arguments) > 1
		if ok {
			k, ok = whole(n.Arguments[1])
		}
		if !ok {
			c.fail("repeat needs a fixed count, such as repeat(\"-\", 3)")
			return out
		}
		out.n = arg(0).n * float64(k)
	case "split", "splitAfter":
		out.size = size{n: arg(0).n, elem: arg(0).n}
	case "join":
		out.n = arg(0).n * (arg(0).elem + arg(1).n)
	case "replace":
		out.n = arg(0).n * math.Max(1, arg(2).n)
	case "concat":
		for _, a := range args {
			out.n += a.n
		}
		out.elem = longest
	case "flatten":
		out.n = total
	case "sort", "reverse", "uniq", "take", "keys", "values", "toPairs", "fromPairs":
		out.size = arg(0).size
		if n.Name == "sort" {
			out.work += arg(0).n * math.Log2(arg(0).n+1)
		}
	default:
		// Text from values (toJSON, upper, trim, string…) is no longer than
		// what went in, written out.
		out.n = 8*total + 32
	}
	return out
}

// about writes a large count readably: 9.8e+11 rather than 980100000000.
func about(v float64) string {
	if v < 1e6 {
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// literal bounds an array or map literal: its items are built once each,
// and it holds as many as it lists, each as large as the largest.
func (c *coster) literal(items []ast.Node) bound {
	out := bound{work: 1, size: size{n: float64(len(items))}}
	for _, x := range items {
		b := c.of(x)
		out.work += b.work
		out.elem = math.Max(out.elem, b.n)
	}
	return out
}
