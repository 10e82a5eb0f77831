package dynamo

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestExpressions reads this package's source: every DynamoDB expression is
// a constant string (values only through ExpressionAttributeValues, never
// formatted in), and names every attribute through an #alias, so no
// attribute can collide with DynamoDB's hundreds of reserved words.
func TestExpressions(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	word := regexp.MustCompile(`[#:]?[A-Za-z_][A-Za-z0-9_]*`)
	allowed := map[string]bool{"SET": true, "ADD": true, "REMOVE": true, "DELETE": true, "AND": true, "OR": true, "NOT": true,
		"attribute_exists": true, "attribute_not_exists": true, "if_not_exists": true, "list_append": true, "size": true}
	fset := token.NewFileSet()
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			name, ok := kv.Key.(*ast.Ident)
			if !ok || !strings.HasSuffix(name.Name, "Expression") {
				return true
			}
			call, ok := kv.Value.(*ast.CallExpr)
			var lit *ast.BasicLit
			if ok && len(call.Args) == 1 {
				lit, _ = call.Args[0].(*ast.BasicLit)
			}
			if lit == nil {
				if sel, ok := kv.Value.(*ast.SelectorExpr); ok && strings.HasSuffix(sel.Sel.Name, "Expression") {
					return true // copied from another input built here
				}
				t.Errorf("%s: %s is not a constant string", fset.Position(kv.Pos()), name.Name)
				return true
			}
			seen++
			expr, _ := strconv.Unquote(lit.Value)
			for _, w := range word.FindAllString(expr, -1) {
				if w[0] != '#' && w[0] != ':' && !allowed[w] {
					t.Errorf("%s: %q names attribute %q without an #alias", fset.Position(lit.Pos()), expr, w)
				}
			}
			return true
		})
	}
	if seen < 10 {
		t.Fatalf("found %d expressions; the check is not looking at the code", seen)
	}
}
