package templates

import (
	"errors"
	"fmt"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Term is one part of a formula written as a weighted sum: a variable
// (quantitative, manager, total…) or a namespaced value (score.nps,
// metric.groupExitRate) and its coefficient.
type Term struct {
	Name   string
	Weight float64
}

// Linear is a formula as constant + Σ weight × part.
type Linear struct {
	Constant float64
	Terms    []Term // in order of first appearance, each name once
}

// errNotLinear explains why a formula is refused: a result must show what
// every part contributed, and only a weighted sum splits that way.
var errNotLinear = errors.New("must be a weighted sum of its parts, such as 0.6*quantitative + 0.25*manager + 0.15*customer, so every result can show what each part contributed")

// Linear reads the formula as a weighted sum of its parts. Products and
// quotients are allowed where one side is a number (0.6*quantitative,
// total/2, (manager + customer)*0.5); anything else (a comparison, max, a
// product of two parts) is refused.
func (p *Program) Linear() (lin Linear, err error) {
	// The expression compiled already; a panic here would still be a
	// template crashing the server, so it is an error like compileSafely's.
	defer func() {
		if r := recover(); r != nil {
			lin, err = Linear{}, errNotLinear
		}
	}()
	tree, err := parser.Parse(p.src)
	if err != nil {
		return Linear{}, err
	}
	f, err := affine(tree.Node)
	if err != nil {
		return Linear{}, err
	}
	out := Linear{Constant: f.c}
	for _, n := range f.order {
		if w := f.w[n]; w != 0 {
			out.Terms = append(out.Terms, Term{Name: n, Weight: w})
		}
	}
	return out, nil
}

type form struct {
	c     float64
	w     map[string]float64
	order []string
}

func constant(v float64) form { return form{c: v, w: map[string]float64{}} }

func (f form) isConst() bool {
	for _, w := range f.w {
		if w != 0 {
			return false
		}
	}
	return true
}

func (f form) scaled(k float64) form {
	out := form{c: f.c * k, w: map[string]float64{}, order: f.order}
	for n, w := range f.w {
		out.w[n] = w * k
	}
	return out
}

func (f form) plus(g form) form {
	out := form{c: f.c + g.c, w: map[string]float64{}, order: append([]string{}, f.order...)}
	for n, w := range f.w {
		out.w[n] = w
	}
	for _, n := range g.order {
		if _, seen := out.w[n]; !seen {
			out.order = append(out.order, n)
		}
		out.w[n] += g.w[n]
	}
	return out
}

func affine(n ast.Node) (form, error) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return constant(float64(n.Value)), nil
	case *ast.FloatNode:
		return constant(n.Value), nil
	case *ast.IdentifierNode:
		return form{w: map[string]float64{n.Value: 1}, order: []string{n.Value}}, nil
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		prop, ok2 := n.Property.(*ast.StringNode)
		if !ok || !ok2 {
			break
		}
		name := id.Value + "." + prop.Value
		return form{w: map[string]float64{name: 1}, order: []string{name}}, nil
	case *ast.UnaryNode:
		f, err := affine(n.Node)
		if err != nil {
			return f, err
		}
		switch n.Operator {
		case "-":
			return f.scaled(-1), nil
		case "+":
			return f, nil
		}
	case *ast.BinaryNode:
		l, err := affine(n.Left)
		if err != nil {
			return l, err
		}
		r, err := affine(n.Right)
		if err != nil {
			return r, err
		}
		switch n.Operator {
		case "+":
			return l.plus(r), nil
		case "-":
			return l.plus(r.scaled(-1)), nil
		case "*":
			if r.isConst() {
				return l.scaled(r.c), nil
			}
			if l.isConst() {
				return r.scaled(l.c), nil
			}
		case "/":
			if r.isConst() && r.c != 0 {
				return l.scaled(1 / r.c), nil
			}
		}
	}
	return form{}, fmt.Errorf("%w; %q is not", errNotLinear, n.String())
}
