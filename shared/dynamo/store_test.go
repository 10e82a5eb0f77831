package dynamo

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/idco-dev/idco/shared/account"
)

// TestUserItemNames: a user's item has the attributes encoding/json would
// give its document, under the same names: an empty map or list of an
// omitempty field is left out, nil or not, as in uni-id's documents, while
// Extra's fields are kept as they are, empty ones included.
func TestUserItemNames(t *testing.T) {
	cases := []struct {
		name string
		u    *account.User
	}{
		{"nil collections", &account.User{UID: "u1"}},
		{"empty collections", &account.User{UID: "u2", Role: []string{}, DcloudAppid: []string{}, InviterUID: []string{},
			WxOpenid: map[string]string{}, QQOpenid: map[string]string{}, Sessions: map[string]account.Session{}}},
		{"set fields", &account.User{UID: "u3", Username: "alice", Role: []string{"admin"}, Version: 2,
			Sessions:     map[string]account.Session{"s": {Gen: 1}},
			RealNameAuth: &account.RealNameAuth{Type: 1}, RegisterEnv: &account.RegisterEnv{AppID: "a"}}},
		{"empty extra fields", &account.User{UID: "u4", Extra: map[string]any{"tags": []any{}, "third_party": map[string]any{}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := json.Marshal(tc.u)
			if err != nil {
				t.Fatal(err)
			}
			var names map[string]any
			if err := json.Unmarshal(doc, &names); err != nil {
				t.Fatal(err)
			}
			want := slices.Sorted(maps.Keys(names))
			for k := range tc.u.Extra {
				want = append(want, k)
			}
			slices.Sort(want)
			item, err := userItem(tc.u)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(maps.Keys(item)); !slices.Equal(got, want) {
				t.Errorf("item attributes %v, want %v", got, want)
			}
		})
	}
}
