package main

import (
	"os"
	"runtime/pprof"
	"strings"
)

// envCPUProfile names the environment variable that makes signet write a CPU profile.
const envCPUProfile = "SIGNET_CPUPROFILE"

// startProfile starts a CPU profile for people who measure signet: to the file named by
// --cpuprofile FILE (or --cpuprofile=FILE), a hidden global option given before the command,
// else by $SIGNET_CPUPROFILE. It returns args without the option, and stop, which writes the
// profile (call it when the command is over). A profile that cannot be started is a warning,
// never a failure of the command. Read it with "go tool pprof signet FILE".
func startProfile(e *env, args []string) ([]string, func()) {
	path := e.getenv(envCPUProfile)
	if len(args) > 1 {
		switch a := args[1]; {
		case a == "--cpuprofile" && len(args) > 2:
			path = args[2]
			args = append(args[:1:1], args[3:]...)
		case strings.HasPrefix(a, "--cpuprofile="):
			path = strings.TrimPrefix(a, "--cpuprofile=")
			args = append(args[:1:1], args[2:]...)
		}
	}
	if path == "" {
		return args, func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		e.warnf("no CPU profile: %v", err)
		return args, func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		e.warnf("no CPU profile: %v", err)
		return args, func() {}
	}
	return args, func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			e.warnf("CPU profile %s: %v", path, err)
		}
	}
}
