package ddbfault

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// stub answers every request with status and counts what reaches it.
type stub struct {
	status int
	sent   int
}

func (s *stub) RoundTrip(r *http.Request) (*http.Response, error) {
	s.sent++
	return answer(r, s.status, `{}`), nil
}

func call(t *testing.T, tr *Transport, op, body string) int {
	t.Helper()
	r, _ := http.NewRequest("POST", "http://ddb.test/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	resp, err := tr.RoundTrip(r)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestTransport(t *testing.T) {
	t.Run("fail writes after n, reads pass, heal", func(t *testing.T) {
		s := &stub{status: 200}
		tr := New(s, false)
		tr.FailWritesAfter(1)
		got := []int{call(t, tr, "PutItem", "{}"), call(t, tr, "GetItem", "{}"), call(t, tr, "PutItem", "{}")}
		tr.Heal()
		got = append(got, call(t, tr, "PutItem", "{}"))
		if want := []int{200, 200, 500, 200}; !slices.Equal(got, want) || s.sent != 3 || tr.Calls() != 4 {
			t.Errorf("statuses %v (want %v), sent %d (want 3), calls %d", got, want, s.sent, tr.Calls())
		}
	})
	t.Run("lost answers are applied", func(t *testing.T) {
		s := &stub{status: 200}
		tr := New(s, false)
		tr.LoseAnswersOf("UpdateItem", 1)
		if got := call(t, tr, "PutItem", "{}"); got != 200 {
			t.Errorf("another operation: %d", got)
		}
		if got := call(t, tr, "UpdateItem", "{}"); got != 500 || s.sent != 2 {
			t.Errorf("lost answer: %d, sent %d, want 500 and sent", got, s.sent)
		}
	})
	t.Run("client request tokens", func(t *testing.T) {
		s := &stub{status: 400}
		tr := New(s, true)
		body := `{"ClientRequestToken":"tok-1","TransactItems":[]}`
		call(t, tr, "TransactWriteItems", body)
		call(t, tr, "TransactWriteItems", body)
		if s.sent != 2 {
			t.Errorf("a refused transaction's token was remembered: sent %d, want 2", s.sent)
		}
		s.status = 200
		tr.LoseAnswers(1)
		if got := call(t, tr, "TransactWriteItems", body); got != 500 {
			t.Errorf("lost answer: %d", got)
		}
		if got := call(t, tr, "TransactWriteItems", body); got != 200 || s.sent != 3 {
			t.Errorf("the retry: %d, sent %d, want 200 without sending (3)", got, s.sent)
		}
		if got := call(t, tr, "TransactWriteItems", strings.Replace(body, "[]", "[{}]", 1)); got != 200 || s.sent != 4 {
			t.Errorf("same token, other body: sent %d, want it sent", s.sent)
		}
	})
	t.Run("record", func(t *testing.T) {
		tr := New(&stub{status: 200}, false)
		call(t, tr, "GetItem", "{}")
		stop := tr.Record()
		call(t, tr, "UpdateItem", "{}")
		call(t, tr, "PutItem", "{}")
		got := stop()
		call(t, tr, "DeleteItem", "{}")
		if want := []string{"UpdateItem", "PutItem"}; !slices.Equal(got, want) {
			t.Errorf("recorded %v, want %v", got, want)
		}
	})
}
