// Package history keeps the revisions of a config set in the cluster: each
// apply records the rendered object set, gzip'd JSON, in a Secret of its
// own, with when, by whom, the config's source revision and the outcome,
// so that a rollback can apply an earlier set again. A failed revision is
// recorded as a new one and never overwrites a good one.
package history

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/svccfg/svccfg/lib/build"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Keep is the number of revisions kept per config set.
const Keep = 10

// Labels and annotations of a revision's Secret.
const (
	SetLabel         = "svccfg.dev/revision-of"
	RevisionLabel    = "svccfg.dev/revision"
	timeAnnotation   = "svccfg.dev/time"
	userAnnotation   = "svccfg.dev/user"
	sourceAnnotation = "svccfg.dev/source-revision"
	outcomeAnnot     = "svccfg.dev/outcome"
	dataKey          = "objects.json.gz"
)

// Outcomes of a revision.
const (
	Applied    = "applied"
	Failed     = "failed"
	RolledBack = "rolled-back"
)

// A Revision is one recorded apply of a config set.
type Revision struct {
	Number  int
	Time    time.Time
	User    string
	Source  string // the config's source revision, if known
	Outcome string
	// Objects are the rendered objects, as JSON, in apply order.
	Objects []json.RawMessage
}

// String returns the revision as one line of svccfg history.
func (r Revision) String() string {
	return fmt.Sprintf("%d\t%s\t%s\t%s\t%s", r.Number, r.Time.UTC().Format(time.RFC3339), r.Outcome, orDash(r.User), orDash(r.Source))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// A Store keeps the revisions of one config set in one namespace.
type Store struct {
	Client    kubernetes.Interface
	Namespace string
	Set       string
}

func (s *Store) name(n int) string {
	return fmt.Sprintf("svccfg-%s-rev-%d", build.ConfigSetName(s.Set), n)
}

// List returns the revisions, oldest first.
func (s *Store) List(ctx context.Context) ([]Revision, error) {
	l, err := s.Client.CoreV1().Secrets(s.Namespace).List(ctx, metav1.ListOptions{LabelSelector: SetLabel + "=" + s.Set})
	if err != nil {
		return nil, err
	}
	var revs []Revision
	for _, sec := range l.Items {
		r, err := decode(&sec)
		if err != nil {
			return nil, fmt.Errorf("revision %s: %w", sec.Name, err)
		}
		revs = append(revs, r)
	}
	slices.SortFunc(revs, func(a, b Revision) int { return a.Number - b.Number })
	return revs, nil
}

// Record stores r as the next revision, setting its number, and deletes
// the oldest beyond Keep.
func (s *Store) Record(ctx context.Context, r *Revision) error {
	revs, err := s.List(ctx)
	if err != nil {
		return err
	}
	r.Number = 1
	if len(revs) > 0 {
		r.Number = revs[len(revs)-1].Number + 1
	}
	sec, err := s.encode(r)
	if err != nil {
		return err
	}
	if _, err := s.Client.CoreV1().Secrets(s.Namespace).Create(ctx, sec, metav1.CreateOptions{}); err != nil {
		return err
	}
	for i := 0; i < len(revs)+1-Keep; i++ {
		if err := s.Client.CoreV1().Secrets(s.Namespace).Delete(ctx, s.name(revs[i].Number), metav1.DeleteOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// SetOutcome changes the outcome of revision n.
func (s *Store) SetOutcome(ctx context.Context, n int, outcome string) error {
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, outcomeAnnot, outcome)
	_, err := s.Client.CoreV1().Secrets(s.Namespace).Patch(ctx, s.name(n), "application/merge-patch+json", []byte(patch), metav1.PatchOptions{})
	return err
}

func (s *Store) encode(r *Revision) (*corev1.Secret, error) {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	if err := json.NewEncoder(z).Encode(r.Objects); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: s.name(r.Number), Namespace: s.Namespace,
			Labels: map[string]string{SetLabel: s.Set, RevisionLabel: strconv.Itoa(r.Number)},
			Annotations: map[string]string{
				timeAnnotation: r.Time.UTC().Format(time.RFC3339), userAnnotation: r.User,
				sourceAnnotation: r.Source, outcomeAnnot: r.Outcome,
			},
		},
		Type: "svccfg.dev/revision",
		Data: map[string][]byte{dataKey: b.Bytes()},
	}, nil
}

func decode(sec *corev1.Secret) (Revision, error) {
	var r Revision
	var err error
	if r.Number, err = strconv.Atoi(sec.Labels[RevisionLabel]); err != nil {
		return r, fmt.Errorf("label %s: %w", RevisionLabel, err)
	}
	r.Time, _ = time.Parse(time.RFC3339, sec.Annotations[timeAnnotation])
	r.User, r.Source, r.Outcome = sec.Annotations[userAnnotation], sec.Annotations[sourceAnnotation], sec.Annotations[outcomeAnnot]
	z, err := gzip.NewReader(bytes.NewReader(sec.Data[dataKey]))
	if err != nil {
		return r, err
	}
	data, err := io.ReadAll(z)
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(data, &r.Objects)
}

// Save records objs as the next revision, at now, by user, from the
// config's source revision source, with the given outcome.
func (s *Store) Save(ctx context.Context, objs []build.Object, user, source, outcome string) (int, error) {
	r := &Revision{Time: time.Now(), User: user, Source: source, Outcome: outcome}
	for _, obj := range objs {
		data, err := obj.JSON()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", obj.Path(), err)
		}
		r.Objects = append(r.Objects, data)
	}
	if err := s.Record(ctx, r); err != nil {
		return 0, err
	}
	return r.Number, nil
}

// SourceRevision returns the git commit of the work tree at dir, or "" if
// dir is not in a git work tree.
func SourceRevision(dir string) string {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// User returns the kubeconfig's user name if cfg has one, else the OS
// user's name, else "".
func User(cfg *rest.Config) string {
	if cfg != nil && cfg.Username != "" {
		return cfg.Username
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// StoreFor returns the store of the config set set, in the namespace of the
// first namespaced object of objs, else ns, else "default".
func StoreFor(cfg *rest.Config, set, ns string, objs []build.Object) (*Store, error) {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Store{Client: client, Namespace: Namespace(ns, objs), Set: set}, nil
}

// Namespace returns the namespace where a config set's records are kept:
// that of the first namespaced object of objs, or else ns, or else
// "default".
func Namespace(ns string, objs []build.Object) string {
	for _, obj := range objs {
		if obj.Namespace != "" {
			return obj.Namespace
		}
	}
	return cmp.Or(ns, "default")
}
