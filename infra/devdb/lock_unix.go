//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package devdb

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on path (creating it), so two dev
// servers cannot append to, or compact, the same journal at once.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}

	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()

		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("the journal is in use by another process (or another devdb.Open)")
		}

		return nil, err
	}

	return f, nil
}

// unlockFile releases a lock taken by lockFile.
func unlockFile(f *os.File) {
	if f == nil {
		return
	}

	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	_ = f.Close()
}
