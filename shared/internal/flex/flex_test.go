package flex

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{`"86"`, "86", true}, {`86`, "86", true}, {`-1`, "-1", true}, {`1.5`, "1.5", true},
		{`"a\u00e9"`, "aé", true}, {`null`, "", true}, {`""`, "", true},
		{`true`, "", false}, {`{}`, "", false}, {`[1]`, "", false},
	} {
		var v struct {
			F String `json:"f"`
		}
		err := json.Unmarshal([]byte(`{"f":`+tc.in+`}`), &v)
		if (err == nil) != tc.ok || string(v.F) != tc.want {
			t.Errorf("%s: got %q, %v; want %q, ok %v", tc.in, v.F, err, tc.want, tc.ok)
		}
	}
}
