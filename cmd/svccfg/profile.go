package main

import (
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// Profiling flags, hidden from help: for `make bench` and performance work.
const (
	flagCPUProfile = "cpuprofile"
	flagMemProfile = "memprofile"
)

func addProfileFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.String(flagCPUProfile, "", "write a CPU profile to `file`")
	f.String(flagMemProfile, "", "write a heap profile to `file` on exit")
	f.MarkHidden(flagCPUProfile)
	f.MarkHidden(flagMemProfile)
}

// startProfiles starts the profiles that cmd's flags ask for and returns a
// function that stops and writes them.
func startProfiles(cmd *cobra.Command) (stop func() error, err error) {
	cpu, _ := cmd.Flags().GetString(flagCPUProfile)
	mem, _ := cmd.Flags().GetString(flagMemProfile)
	var cpuFile *os.File
	if cpu != "" {
		if cpuFile, err = os.Create(cpu); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpuFile); err != nil {
			return nil, err
		}
	}
	return func() error {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			if err := cpuFile.Close(); err != nil {
				return err
			}
		}
		if mem != "" {
			f, err := os.Create(mem)
			if err != nil {
				return err
			}
			runtime.GC()
			if err := pprof.WriteHeapProfile(f); err != nil {
				return err
			}
			return f.Close()
		}
		return nil
	}, nil
}
