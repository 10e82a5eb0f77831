package account_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idco-dev/idco/shared/testenv"
)

// TestImportThousands: 2,000 uni-id users in batches of 50 (a call's body is at most 16 KiB), with 20
// planted conflicts (10 usernames and 10 emails of earlier lines), import
// with exactly the planted lines refused, by line, and nothing of them
// written; a re-run finds every imported account there.
func TestImportThousands(t *testing.T) {
	e, admin, _ := adminEnv(t, nil)
	const n = 2000
	docs := make([]string, n)
	planted := map[int]string{}
	for i := range n {
		user, email := fmt.Sprintf("user_%04d", i), fmt.Sprintf("u%04d@example.com", i)
		switch {
		case i%100 == 99 && i < 1000:
			user, planted[i+1] = fmt.Sprintf("user_%04d", i-50), "username"
		case i%100 == 99:
			email, planted[i+1] = fmt.Sprintf("u%04d@example.com", i-50), "email"
		}
		docs[i] = fmt.Sprintf(`{"_id":"65%022d","username":%q,"email":%q,"email_confirmed":1,"password":"03caebb36670995fc261a275d212cad65e4bbebd","password_secret_version":1,"register_date":1690000000000}`, i, user, email)
	}
	start := time.Now()
	run := func() (created, exists int, conflicts map[int]string) {
		conflicts = map[int]string{}
		for b := 0; b < n; b += 50 {
			for _, r := range importBatch(t, e, admin, docs[b:b+50], false) {
				line := b + int(r["line"].(float64))
				switch r["outcome"] {
				case "created":
					created++
				case "exists":
					exists++
				case "conflict":
					conflicts[line] = r["key"].(string)
				default:
					t.Fatalf("line %d: %v", line, r)
				}
			}
		}
		return created, exists, conflicts
	}
	created, _, conflicts := run()
	t.Logf("imported %d users in %s", created, time.Since(start).Round(time.Millisecond))
	if created != n-len(planted) || fmt.Sprint(conflicts) != fmt.Sprint(planted) {
		t.Errorf("created %d (want %d), conflicts %v, want %v", created, n-len(planted), conflicts, planted)
	}
	if users := e.ItemCount(t)[e.Names.Users]; users != n-len(planted)+2 { // + the admin and the env's user
		t.Errorf("%d accounts stored", users)
	}
	_, exists, conflicts := run()
	if exists != n-len(planted) || len(conflicts) != len(planted) {
		t.Errorf("re-run: %d exist, %d conflicts", exists, len(conflicts))
	}
	if r := loginAs(t, e, testenv.NewClient("x"), "user_1234", "123456"); !strings.HasPrefix(r.Code(), "0") {
		t.Errorf("an imported user logs in: %s", r.Raw)
	}
}
