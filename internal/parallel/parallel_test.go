package parallel

import (
	"errors"
	"sync/atomic"
	"testing"
)

func TestDo(t *testing.T) {
	var calls [100]atomic.Int32
	err := Do(len(calls), 3, func(i int) error {
		calls[i].Add(1)
		if i == 7 || i == 42 {
			return errors.New("bad " + string(rune('0'+i%10)))
		}
		return nil
	})
	for i := range calls {
		if n := calls[i].Load(); n != 1 {
			t.Errorf("f(%d) called %d times, want 1", i, n)
		}
	}
	if err == nil || err.Error() != "bad 7\nbad 2" {
		t.Errorf("Do error = %q, want the errors of f(7) and f(42) in order", err)
	}
	if err := Do(0, 0, func(int) error { t.Fatal("called"); return nil }); err != nil {
		t.Errorf("Do(0) = %v, want nil", err)
	}
}
