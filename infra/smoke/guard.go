package smoke

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/idco-dev/idco/shared/families"
)

// Need is one IAM permission a DynamoDB request needs: an action on a table
// (its real name).
type Need struct {
	Table, Action string
}

// Needs returns what a DynamoDB request (operation op, as in X-Amz-Target,
// and its JSON body) needs from IAM: a transaction needs each item's own
// action, a batch its action on each table.
func Needs(op string, body []byte) ([]Need, error) {
	var req struct {
		TableName     string                     `json:"TableName"`
		RequestItems  map[string]json.RawMessage `json:"RequestItems"`
		TransactItems []map[string]struct {
			TableName string `json:"TableName"`
		} `json:"TransactItems"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var out []Need
	switch op {
	case "BatchGetItem", "BatchWriteItem":
		for table := range req.RequestItems {
			out = append(out, Need{table, "dynamodb:" + op})
		}
	case "TransactWriteItems", "TransactGetItems":
		for _, item := range req.TransactItems {
			for kind, it := range item {
				action, ok := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
					"ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}[kind]
				if !ok {
					return nil, fmt.Errorf("%s: unknown item kind %q", op, kind)
				}
				out = append(out, Need{it.TableName, "dynamodb:" + action})
			}
		}
	case "ListTables":
		out = append(out, Need{"*", "dynamodb:ListTables"})
	default:
		if req.TableName == "" {
			return nil, fmt.Errorf("%s: no TableName", op)
		}
		out = append(out, Need{req.TableName, "dynamodb:" + op})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Table+out[i].Action < out[j].Table+out[j].Action })
	return out, nil
}

// Guard is one function's DynamoDB endpoint: it forwards a request to Next
// only when the family's grants allow everything it needs, and otherwise
// answers AccessDeniedException, as DynamoDB does for a role without the
// permission. It records both, for the test to report.
type Guard struct {
	Family string
	Prefix string // real table name = Prefix + grant resource
	Grants []families.Grant
	Next   http.Handler

	mu     sync.Mutex
	used   map[string]bool
	denied []string
}

// ServeHTTP implements http.Handler.
func (g *Guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	needs, err := Needs(op, body)
	if err == nil && r.Header.Get("Content-Encoding") != "" {
		err = fmt.Errorf("%s: encoded body (%s) not understood", op, r.Header.Get("Content-Encoding"))
	}
	if err != nil {
		g.deny(w, err.Error())
		return
	}
	for _, n := range needs {
		if !g.allows(n) {
			g.deny(w, fmt.Sprintf("%s on %s", n.Action, n.Table))
			return
		}
	}
	g.mu.Lock()
	for _, n := range needs {
		if g.used == nil {
			g.used = map[string]bool{}
		}
		g.used[strings.TrimPrefix(n.Table, g.Prefix)+" "+n.Action] = true
	}
	g.mu.Unlock()
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	r.ContentLength = int64(len(body))
	g.Next.ServeHTTP(w, r)
}

func (g *Guard) allows(n Need) bool {
	name, ok := strings.CutPrefix(n.Table, g.Prefix)
	if !ok {
		return false
	}
	for _, gr := range g.Grants {
		if gr.Resource == name && slices.Contains(gr.Actions, n.Action) {
			return true
		}
	}
	return false
}

func (g *Guard) deny(w http.ResponseWriter, what string) {
	g.mu.Lock()
	g.denied = append(g.denied, what)
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	msg, _ := json.Marshal("function " + g.Family + " is not authorized to perform: " + what)
	fmt.Fprintf(w, `{"__type":"com.amazon.coral.service#AccessDeniedException","message":%s}`, msg)
}

// Denied lists the requests refused so far ("dynamodb:PutItem on idco-users").
func (g *Guard) Denied() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.denied)
}

// Used lists the grants exercised so far ("users dynamodb:GetItem"), sorted.
func (g *Guard) Used() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, 0, len(g.used))
	for k := range g.used {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
