package signing

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"
	"time"
)

// Source gives the current key set.
type Source interface {
	Keys(ctx context.Context) (*Set, error)
}

// Static is a set that never changes (tests).
type Static struct{ Set *Set }

// Keys implements Source.
func (s Static) Keys(context.Context) (*Set, error) { return s.Set, nil }

// Reloading reads the set through Load and keeps it for Every, so a
// rotation reaches a running function within that time; a failed reload
// keeps serving the set it has.
type Reloading struct {
	Load  func(ctx context.Context) ([]byte, error)
	Every time.Duration
	Now   func() time.Time

	mu   sync.Mutex
	set  *Set
	read time.Time
}

// Keys implements Source.
func (r *Reloading) Keys(ctx context.Context) (*Set, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	if r.set != nil && now.Sub(r.read) < r.Every {
		return r.set, nil
	}
	data, err := r.Load(ctx)
	var set *Set
	if err == nil {
		set, err = Parse(data)
	}
	if err != nil {
		if r.set != nil {
			return r.set, nil
		}
		return nil, err
	}
	r.set, r.read = set, now
	return set, nil
}

// File loads the set from path, generating and writing one (mode 0600)
// when the file does not exist: the dev server's keys.
func File(path string) func(ctx context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) {
		data, err := os.ReadFile(path)
		if !errors.Is(err, fs.ErrNotExist) {
			return data, err
		}
		set, err := Generate(time.Now())
		if err != nil {
			return nil, err
		}
		if data, err = set.Marshal(); err != nil {
			return nil, err
		}
		return data, os.WriteFile(path, data, 0o600)
	}
}
