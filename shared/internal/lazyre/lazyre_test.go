package lazyre

import (
	"sync"
	"testing"
)

func TestMatchString(t *testing.T) {
	re := New(`^[a-z]{1,3}$`)
	tests := []struct {
		s    string
		want bool
	}{{"abc", true}, {"abcd", false}, {"", false}, {"a1", false}}
	var wg sync.WaitGroup
	for _, tc := range tests {
		wg.Go(func() {
			if got := re.MatchString(tc.s); got != tc.want {
				t.Errorf("MatchString(%q) = %v, want %v", tc.s, got, tc.want)
			}
		})
	}
	wg.Wait()
}

func TestBadExpressionPanicsOnFirstUse(t *testing.T) {
	re := New(`(`)
	defer func() {
		if recover() == nil {
			t.Error("MatchString with a bad expression did not panic")
		}
	}()
	re.MatchString("x")
}
