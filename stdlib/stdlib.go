// Package stdlib embeds svccfg's Starlark standard library: the service,
// cron, kube, envoy and einhorn helpers that configuration files call. It is
// owned by the platform team: a change here changes how every service runs,
// and shows up in every golden file.
//
// Files whose names start with "_" are internal: only other stdlib files may
// load them.
package stdlib

import "embed"

// FS holds the standard library's .star files.
//
//go:embed *.star
var FS embed.FS
