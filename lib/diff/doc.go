// Package diff compares built Kubernetes objects with the live cluster: the
// diff phase of svccfg's pipeline (load → eval → starproto → render → diff).
//
// For every object, [Differ.Diff] sends a server-side apply with dryRun=All,
// force and the field manager [FieldManager], so that the cluster's own
// defaulting, admission and validation run, and compares the result with
// the live object (none means the object is to be created).
//
// The live objects are fetched with few requests, since every request costs
// the apiserver more than serving one more object of a LIST from its watch
// cache: first one LIST per kind, across namespaces, of the objects labelled
// as built from the config sets (which also finds the objects to prune);
// then, for the objects not found that way, one LIST per resource and
// namespace that holds several of them, and a GET for each of the rest.
//
// The live and dry-run objects are cleaned of what the server
// manages rather than the configuration (managed fields, resource version,
// uid, generation, creation time, self link, status and kubectl's
// last-applied annotation), encoded as canonical YAML by lib/canon, and
// compared. Secret values are replaced by fixed markers before diffing, so
// they never reach the output.
//
// Failures to reach or use the cluster are returned as [*Error] values whose
// [Class] says what kind of failure it was; transient ones (network errors,
// 429 and 5xx responses) are retried with backoff until the deadline.
package diff
