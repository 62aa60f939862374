package lint

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A fileKey identifies a version of a file without reading it: its size,
// modification and change times, and inode. The change time cannot be set
// by users and changes with every write, so a file whose key is unchanged
// holds the same bytes, unless it was written within the granularity of
// the file system's clock of when it was read: see [racyWindow].
type fileKey struct {
	size, mtime, ctime int64 // times in nanoseconds
	ino                uint64
}

func (k fileKey) String() string {
	return fmt.Sprintf("%d %d %d %d", k.size, k.mtime, k.ctime, k.ino)
}

// parseKey parses what [fileKey.String] writes.
func parseKey(s string) (fileKey, bool) {
	var n [4]int64
	for i := range n {
		field, rest, _ := strings.Cut(s, " ")
		v, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return fileKey{}, false
		}
		n[i], s = v, rest
	}
	return fileKey{size: n[0], mtime: n[1], ctime: n[2], ino: uint64(n[3])}, s == ""
}

// racyWindow is how recently written a file may be for its index entry to
// be trusted: a file written again within the clock's granularity after it
// was read may keep its key.
var racyWindow = time.Second

// An index records, for each .star file of a config root, the .star names
// it mentions, under the file's key. A nil index records nothing.
type index struct {
	path    string // of the index file
	entries map[string]indexEntry
}

type indexEntry struct {
	key      fileKey
	mentions []string
}

// indexHeader starts an index file; its entries follow, one a line:
// path relative to the root, tab, key, and a tab before each mention.
const indexHeader = "svccfg lint --changed index 1\n"

// openIndex returns the index of root kept under cacheDir, or nil if
// cacheDir is empty. An index that cannot be read is empty.
func openIndex(cacheDir, root string) *index {
	if cacheDir == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(root))
	ix := &index{path: filepath.Join(cacheDir, "lint-index", fmt.Sprintf("%x", sum[:16])), entries: make(map[string]indexEntry)}
	data, err := os.ReadFile(ix.path)
	if err != nil || !bytes.HasPrefix(data, []byte(indexHeader)) {
		return ix
	}
	names := make(map[string]string) // one copy of each mention
	for _, line := range strings.Split(string(data[len(indexHeader):]), "\n") {
		rel, rest, _ := strings.Cut(line, "\t")
		key, rest, _ := strings.Cut(rest, "\t")
		k, ok := parseKey(key)
		if !ok {
			continue
		}
		var mentions []string
		for m := range strings.SplitSeq(rest, "\t") {
			if m == "" {
				continue
			}
			if _, ok := names[m]; !ok {
				names[m] = m
			}
			mentions = append(mentions, names[m])
		}
		ix.entries[rel] = indexEntry{key: k, mentions: mentions}
	}
	return ix
}

// lookup returns the mentions of the file at rel if its entry has key.
func (ix *index) lookup(rel string, key fileKey) ([]string, bool) {
	if ix == nil || key == (fileKey{}) {
		return nil, false
	}
	e, ok := ix.entries[rel]
	return e.mentions, ok && e.key == key
}

// save records what t's files mention, replacing the index file if that
// changes it. Files read too soon after they were written are left out.
// Failures are ignored: the index only saves time.
func (ix *index) save(t *tree) {
	if ix == nil {
		return
	}
	if !slices.ContainsFunc(t.files, func(f *treeFile) bool { return !f.indexed }) && len(t.files) == len(ix.entries) {
		return // every file's entry was current, and there are no others
	}
	recent := time.Now().Add(-racyWindow).UnixNano()
	var b bytes.Buffer
	b.WriteString(indexHeader)
	for _, f := range t.files {
		if f.gone || f.key == (fileKey{}) || f.key.mtime > recent || f.key.ctime > recent ||
			strings.ContainsAny(f.rel, "\t\n") || slices.ContainsFunc(f.mentions, func(m string) bool { return strings.Contains(m, "\t") }) {
			continue
		}
		fmt.Fprintf(&b, "%s\t%s", f.rel, f.key)
		for _, m := range f.mentions {
			b.WriteString("\t" + m)
		}
		b.WriteByte('\n')
	}
	if err := os.MkdirAll(filepath.Dir(ix.path), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(ix.path), ".index-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b.Bytes())
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), ix.path) != nil {
		os.Remove(tmp.Name())
	}
}
