package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/account"
)

var auditCases = []testCase{
	{"NewestFirstInPages", testAuditNewestFirst},
}

// testAuditNewestFirst: an account's events come back newest first, each
// once across pages, events of one millisecond included, without events
// past their retention and without other accounts' events.
func testAuditNewestFirst(t *testing.T, e *env) {
	id, other := uid(), uid()
	at := e.now()
	var want []string
	for i := range 5 {
		ev := account.AuditEvent{UID: id, At: at.Add(time.Duration(i) * time.Second).UnixMilli(), Type: "login",
			Method: fmt.Sprint("m", i), Outcome: "0", Expires: at.Add(time.Hour).UnixMilli()}
		if i == 2 {
			ev.Expires = at.Add(time.Second).UnixMilli() // past by the time it is read
		} else {
			want = append([]string{ev.Method}, want...)
		}
		if err := e.Audit.Record(e.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	same := account.AuditEvent{UID: id, At: at.Add(10 * time.Second).UnixMilli(), Method: "same", Expires: at.Add(time.Hour).UnixMilli()}
	for range 2 {
		if err := e.Audit.Record(e.ctx, same); err != nil {
			t.Fatal(err)
		}
	}
	want = append([]string{"same", "same"}, want...)
	if err := e.Audit.Record(e.ctx, account.AuditEvent{UID: other, At: at.UnixMilli(), Method: "theirs", Expires: at.Add(time.Hour).UnixMilli()}); err != nil {
		t.Fatal(err)
	}
	var got []string
	cursor := ""
	for range 10 {
		events, next, err := e.Audit.Events(e.ctx, id, 2, cursor, at.Add(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			if ev.UID != id || ev.At == 0 {
				t.Errorf("event %+v", ev)
			}
			got = append(got, ev.Method)
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events %v, want %v", got, want)
	}
}
