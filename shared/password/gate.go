package password

import (
	"errors"
	"runtime"
	"time"
)

// ErrBusy reports that every hashing slot stayed taken for the Gate's whole
// wait: the caller answers "retry later" instead of queueing without end.
var ErrBusy = errors.New("password: hashing is at capacity")

// Gate bounds the argon2id work a process does at once. Each hash takes
// MemoryKiB of memory and a core for tens of milliseconds, so without a
// bound a burst of logins takes memory and latency from every other
// request; with one, memory stays at slots x MemoryKiB and a burst queues
// for at most the wait, then is told to retry.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
}

// NewGate returns a Gate of n slots (n < 1: one per core) whose callers
// queue for at most wait.
func NewGate(n int, wait time.Duration) *Gate {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	return &Gate{slots: make(chan struct{}, n), wait: wait}
}

// DefaultGate is the process's gate: one slot per core, a queue of at most
// two seconds.
var DefaultGate = NewGate(0, 2*time.Second)

// Slots is the number of hashes that run at once.
func (g *Gate) Slots() int { return cap(g.slots) }

// Wait is how long a caller queues before ErrBusy.
func (g *Gate) Wait() time.Duration { return g.wait }

// Enter takes a slot, waiting at most the Gate's wait, and returns its
// release; a nil Gate admits everyone.
func (g *Gate) Enter() (func(), error) {
	if g == nil {
		return func() {}, nil
	}
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	case <-t.C:
		return nil, ErrBusy
	}
}

func (g *Gate) leave() { <-g.slots }
