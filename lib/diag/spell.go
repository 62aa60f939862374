package diag

import (
	"strings"
	"unicode/utf8"
)

// Nearest returns the candidate closest to x in edit distance, ignoring case,
// or "" if none is close enough to be a likely misspelling.
func Nearest(x string, candidates []string) string {
	lx := strings.ToLower(x)
	// Allow roughly one edit in two runes, but only one in a short word,
	// where two edits make any word of its length ("web" is not "job").
	limit := utf8.RuneCountInString(x)/2 + 1
	if utf8.RuneCountInString(x) <= 3 {
		limit = 1
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		if d := distance(lx, strings.ToLower(c), limit); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance returns the edit distance between x and y, counting a swap of
// two adjacent runes as one edit ("nmae" is one edit from "name", the
// commonest slip of a typist), or a number greater than max if it exceeds
// max.
func distance(x, y string, max int) int {
	a, b := []rune(x), []rune(y)
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// Rows i-2, i-1 and i of the table of distances between prefixes.
	before, prev, row := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		row[0] = i
		low := row[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			row[j] = min(prev[j]+1, row[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				row[j] = min(row[j], before[j-2]+1)
			}
			low = min(low, row[j])
		}
		if low > max {
			return max + 1
		}
		before, prev, row = prev, row, before
	}
	return prev[len(b)]
}
