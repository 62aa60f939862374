package diag

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestPrint(t *testing.T) {
	for _, test := range []struct {
		name string
		err  error
		want string
	}{
		{
			name: "relative path",
			err:  Errorf(Position{File: "/work/cfg/main.star", Line: 3, Col: 14}, "service: for parameter replicas: got %s, want %s", "string", "int"),
			want: "cfg/main.star:3:14: service: for parameter replicas: got string, want int\n",
		},
		{
			name: "no column",
			err:  Errorf(Position{File: "/work/x.star", Line: 2}, "boom"),
			want: "x.star:2: boom\n",
		},
		{
			name: "stdlib names stay",
			err:  Errorf(Position{File: "@stdlib//service.star", Line: 10, Col: 5}, "boom"),
			want: "@stdlib//service.star:10:5: boom\n",
		},
		{
			name: "call chain",
			err: &Error{
				Pos:   Position{File: "/work/a.star", Line: 5, Col: 3},
				Msg:   "bad",
				Stack: []Frame{{Pos: Position{File: "/work/a.star", Line: 9, Col: 10}, Func: "main"}},
			},
			want: "a.star:5:3: bad\n\ta.star:9:10: in main\n",
		},
		{
			name: "list sorted and deduplicated",
			err: ErrorList{
				{Pos: Position{File: "/work/b.star", Line: 1, Col: 1}, Msg: "second"},
				{Pos: Position{File: "/work/a.star", Line: 2, Col: 1}, Msg: "first"},
				{Pos: Position{File: "/work/b.star", Line: 1, Col: 1}, Msg: "second"},
			}.Err(),
			want: "a.star:2:1: first\nb.star:1:1: second\n",
		},
		{
			name: "plain error",
			err:  errors.New("no such file"),
			want: "no such file\n",
		},
		{
			name: "wrapped positioned error keeps context",
			err:  fmt.Errorf("writing: %w", Errorf(Position{File: "/work/a.star", Line: 1}, "x")),
			want: "writing: /work/a.star:1: x\n",
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			var buf bytes.Buffer
			Print(&buf, test.err, Config{Cwd: "/work"})
			if got := buf.String(); got != test.want {
				t.Errorf("Print(%v) = %q, want %q", test.err, got, test.want)
			}
		})
	}
}

func TestErrorListEmpty(t *testing.T) {
	var l ErrorList
	if err := l.Err(); err != nil {
		t.Errorf("ErrorList{}.Err() = %v, want nil", err)
	}
}
