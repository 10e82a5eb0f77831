//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package devdb

import "os"

// lockFile is a no-op where flock is unavailable: nothing stops two dev
// servers from sharing a journal there.
func lockFile(string) (*os.File, error) { return nil, nil }

func unlockFile(*os.File) {}
