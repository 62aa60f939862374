package build

import (
	"context"
	"fmt"
	"runtime/metrics"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// DefaultMaxMemory bounds the heap of a build: Starlark has no allocation
// limit of its own, so a configuration that doubles a string in a loop
// would otherwise exhaust the machine's memory before its step limit.
const DefaultMaxMemory = 4 << 30

// errMemory is the cause with which a build exceeding its memory limit
// cancels the evaluations under way.
type errMemory struct{ limit uint64 }

func (e errMemory) Error() string {
	return fmt.Sprintf("the build used more than %s of memory (raise the limit with --max-memory)",
		resource.NewQuantity(int64(e.limit), resource.BinarySI))
}

// watchMemory cancels ctx with errMemory once the heap holds more than
// limit bytes, checking every 20ms until stop is called.
func watchMemory(ctx context.Context, cancel context.CancelCauseFunc, limit uint64) (stop func()) {
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > limit {
					cancel(errMemory{limit})
					return
				}
			}
		}
	}()
	return func() { close(done) }
}
