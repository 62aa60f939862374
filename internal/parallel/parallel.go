// Package parallel runs independent pieces of work on a bounded number of
// goroutines.
package parallel

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// Do calls f(0) ... f(n-1) on at most workers goroutines (GOMAXPROCS if
// workers <= 0) and returns their errors joined in order of i.
func Do(n, workers int, f func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				errs[i] = f(i)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
