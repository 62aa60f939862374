package history

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes/fake"
)

// TestRecordKeepsBoundedHistory records more than Keep revisions and
// checks the numbering, the bound, the contents and a changed outcome.
func TestRecordKeepsBoundedHistory(t *testing.T) {
	ctx := context.Background()
	s := &Store{Client: fake.NewClientset(), Namespace: "ns", Set: "shop"}
	for i := range Keep + 3 {
		r := &Revision{Time: time.Unix(int64(i), 0), User: "ann", Outcome: Applied, Objects: []json.RawMessage{json.RawMessage(`{"n":1}`)}}
		if err := s.Record(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.Number != i+1 {
			t.Fatalf("revision %d numbered %d", i+1, r.Number)
		}
	}
	if err := s.SetOutcome(ctx, Keep+3, Failed); err != nil {
		t.Fatal(err)
	}
	revs, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != Keep || revs[0].Number != 4 || revs[Keep-1].Number != Keep+3 {
		t.Fatalf("got %d revisions from %d, want %d from 4", len(revs), revs[0].Number, Keep)
	}
	last := revs[Keep-1]
	if last.Outcome != Failed || last.User != "ann" || string(last.Objects[0]) != `{"n":1}` || revs[Keep-2].Outcome != Applied {
		t.Errorf("last revision %+v", last)
	}
	if got, want := last.String(), "13\t1970-01-01T00:00:12Z\tfailed\tann\t-"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
}
