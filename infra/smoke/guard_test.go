package smoke

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/idco-dev/idco/shared/families"
)

func TestNeeds(t *testing.T) {
	tests := []struct {
		op, body string
		want     []Need
	}{
		{"GetItem", `{"TableName":"p-users","Key":{}}`, []Need{{"p-users", "dynamodb:GetItem"}}},
		{"UpdateItem", `{"TableName":"p-ephemeral"}`, []Need{{"p-ephemeral", "dynamodb:UpdateItem"}}},
		{"BatchGetItem", `{"RequestItems":{"p-ephemeral":{"Keys":[]},"p-users":{"Keys":[]}}}`,
			[]Need{{"p-ephemeral", "dynamodb:BatchGetItem"}, {"p-users", "dynamodb:BatchGetItem"}}},
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"p-users","Item":{}}},{"Put":{"TableName":"p-keys"}},
			{"Delete":{"TableName":"p-keys"}},{"ConditionCheck":{"TableName":"p-users"}},{"Update":{"TableName":"p-users"}}]}`,
			[]Need{{"p-keys", "dynamodb:DeleteItem"}, {"p-keys", "dynamodb:PutItem"}, {"p-users", "dynamodb:ConditionCheckItem"},
				{"p-users", "dynamodb:PutItem"}, {"p-users", "dynamodb:UpdateItem"}}},
		{"TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"p-users"}}]}`, []Need{{"p-users", "dynamodb:GetItem"}}},
		{"ListTables", `{}`, []Need{{"*", "dynamodb:ListTables"}}},
	}
	for _, tt := range tests {
		got, err := Needs(tt.op, []byte(tt.body))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Needs(%s) = %v, %v; want %v", tt.op, got, err, tt.want)
		}
	}
	for _, bad := range []struct{ op, body string }{
		{"GetItem", `{}`}, {"TransactWriteItems", `{"TransactItems":[{"Frob":{"TableName":"t"}}]}`}, {"PutItem", `nope`},
	} {
		if got, err := Needs(bad.op, []byte(bad.body)); err == nil {
			t.Errorf("Needs(%s, %s) = %v, want an error", bad.op, bad.body, got)
		}
	}
}

func TestGuard(t *testing.T) {
	var forwarded int
	g := &Guard{Family: "f", Prefix: "p-", Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forwarded++
		w.WriteHeader(http.StatusOK)
	}), Grants: []families.Grant{
		{Resource: "users", Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}},
		{Resource: "keys", Actions: []string{"dynamodb:PutItem"}},
	}}
	tests := []struct {
		op, body string
		allowed  bool
	}{
		{"GetItem", `{"TableName":"p-users"}`, true},
		{"DeleteItem", `{"TableName":"p-users"}`, false},
		{"GetItem", `{"TableName":"p-keys"}`, false},
		{"GetItem", `{"TableName":"other-users"}`, false},
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"p-users"}},{"Put":{"TableName":"p-keys"}}]}`, true},
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"p-users"}},{"Delete":{"TableName":"p-keys"}}]}`, false},
		{"Scan", `{"TableName":"p-users"}`, false},
	}
	for _, tt := range tests {
		before := forwarded
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+tt.op)
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		if got := forwarded > before; got != tt.allowed {
			t.Errorf("%s %s forwarded = %v, want %v", tt.op, tt.body, got, tt.allowed)
		}
		if !tt.allowed && (rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "AccessDeniedException")) {
			t.Errorf("%s %s: got %d %s, want 400 AccessDeniedException", tt.op, tt.body, rec.Code, rec.Body)
		}
	}
	if got, want := len(g.Denied()), 5; got != want {
		t.Errorf("Denied() has %d entries, want %d: %v", got, want, g.Denied())
	}
	if got, want := g.Used(), []string{"keys dynamodb:PutItem", "users dynamodb:GetItem", "users dynamodb:PutItem"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Used() = %v, want %v", got, want)
	}
}
