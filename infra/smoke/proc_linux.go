package smoke

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in its own process group, so killGroup also ends the
// runtime the emulator started.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func killGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
