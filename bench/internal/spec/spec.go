// Package spec defines the services of the benchmark tree, so that
// bench/gen writes them as Starlark and bench/reference builds them in Go.
package spec

import "fmt"

// Spec is the generated configuration of service i, which bench/reference
// builds by hand in Go.
type Spec struct {
	Team, Name, Version        string
	Port, Replicas, Cores, GiB int
	Cron                       bool
}

var teamNames = []string{"payments", "search", "risk", "growth"}

// Of returns the configuration of service i.
func Of(i int) Spec {
	return Spec{
		Team:     teamNames[i%len(teamNames)],
		Name:     fmt.Sprintf("svc-%05d", i),
		Version:  fmt.Sprintf("1.%d.%d", i%7, i%13),
		Port:     10000 + i%50000, // one port per service of the namespace, as svccfg lint requires
		Replicas: 2 + i%3,
		Cores:    1 + i%4,
		GiB:      1 + i%8,
		Cron:     i%10 == 0,
	}
}
