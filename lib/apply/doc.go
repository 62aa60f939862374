// Package apply is the engine of svccfg apply: it sends a configuration's
// objects to the cluster with server-side apply (field manager
// [diff.FieldManager]), after a dry run of the whole set, so that an object
// the cluster rejects stops the apply before anything is changed.
//
// The phases of [Applier.Apply]:
//
//  1. a comparison with the cluster ([diff.Differ.Diff]), which is the
//     changes printed, the way svccfg diff prints them;
//  2. a server-side dry run of every object with the conflict policy of the
//     real apply, so that a rejected object or a conflict with another field
//     manager names the object, the field and the configuration line that
//     made it, and nothing is applied;
//  3. the apply, in dependency order: namespaces and custom resource
//     definitions, then service accounts, config maps and secrets, then
//     the rest (workloads, services...);
//  4. the wait until every applied object is ready ([rollout.Waiter]),
//     which is a [*RolloutError] when a rollout fails.
package apply
