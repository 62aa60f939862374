package canon

// The scalar rules of go.yaml.in/yaml/v2 v2.4.4, which sigs.k8s.io/yaml
// uses: how a JSON number reads back (resolve.go resolve), whether a string
// may be written plain (encode.go stringv, resolve.go, isBase60Float), what
// styles a string allows (emitterc.go yaml_emitter_analyze_scalar), and the
// order of mapping keys (sorter.go keyList.Less).

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// yamlNumber returns how yaml.v2 writes the JSON number lit after reading
// it back: as an int64 or uint64 if it parses as one, else as a float64
// in shortest 'g' form, else (out of float64's range) as the string lit,
// which is plain too. (A JSON number is a float unless it has no '.', 'e'
// or 'E', and has no base prefix or leading zero.)
func yamlNumber(lit string) string {
	if isShortInt(lit) {
		if lit == "-0" {
			return "0"
		}
		return lit
	}
	if !strings.ContainsAny(lit, ".eE") {
		if i, err := strconv.ParseInt(lit, 0, 64); err == nil {
			return strconv.FormatInt(i, 10)
		}
		if u, err := strconv.ParseUint(lit, 0, 64); err == nil {
			return strconv.FormatUint(u, 10)
		}
	}
	if f, err := strconv.ParseFloat(lit, 64); err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return lit
}

// isShortInt reports whether lit is an optional '-' and at most 18
// digits, which always fit an int64.
func isShortInt(lit string) bool {
	digits := lit
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// resolveHint is resolve.go's resolveTable: the first bytes of plain
// scalars that may read back as something other than a string.
var resolveHint = func() (t [256]byte) {
	t['+'], t['-'] = 'S', 'S'
	for _, c := range "0123456789" {
		t[c] = 'D'
	}
	for _, c := range "yYnNtTfFoO~" {
		t[c] = 'M'
	}
	t['.'] = '.'
	return t
}()

// isResolveWord reports whether s is in resolve.go's resolveMap, other
// than "" and "<<", which resolvesToStr handles before.
func isResolveWord(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
		"~", "null", "Null", "NULL",
		".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
		"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return true
	}
	return false
}

// plainOK reports whether yaml.v2's stringv may write s as a plain
// scalar: s would read back as a string, and is not a YAML 1.1 base 60
// float.
func plainOK(s string) bool {
	return resolvesToStr(s) && !isBase60Float(s)
}

// resolvesToStr reports whether the plain scalar s reads back as a string,
// by yaml.v2's resolve(""). It calls strconv only where it may succeed, so
// as to allocate no errors for the usual strings.
func resolvesToStr(s string) bool {
	if s == "" {
		return false // null
	}
	hint := resolveHint[s[0]]
	switch {
	case hint == 0:
		return true
	case isResolveWord(s):
		return false
	case hint == 'M':
		return true
	case hint == '.':
		if onlyBytes(s, &floatBytes) {
			_, err := strconv.ParseFloat(s, 64)
			return err != nil
		}
		return true
	}
	// hint 'D' or 'S': a timestamp, int, float or binary int.
	if isTimestamp(s) {
		return false
	}
	plain := s
	if strings.IndexByte(s, '_') >= 0 {
		plain = strings.ReplaceAll(s, "_", "")
	}
	maybeInt := onlyBytes(plain, &intBytes)
	if maybeInt && isIntSyntax(plain) {
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return false
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return false
		}
	}
	if isYAMLFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return false
		}
	}
	if maybeInt {
		if rest, ok := strings.CutPrefix(plain, "0b"); ok {
			if _, err := strconv.ParseInt(rest, 2, 64); err == nil {
				return false
			}
			if _, err := strconv.ParseUint(rest, 2, 64); err == nil {
				return false
			}
		} else if rest, ok := strings.CutPrefix(plain, "-0b"); ok {
			if _, err := strconv.ParseInt("-"+rest, 2, 64); err == nil {
				return false
			}
		}
	}
	return true
}

// A byteSet is a set of bytes.
type byteSet [256]bool

func newByteSet(s string) (set byteSet) {
	for i := 0; i < len(s); i++ {
		set[s[i]] = true
	}
	return set
}

var (
	floatBytes = newByteSet("0123456789._eE+-")
	intBytes   = newByteSet("0123456789abcdefABCDEFxXoO+-")
)

// onlyBytes reports whether every byte of s is in set.
func onlyBytes(s string, set *byteSet) bool {
	for i := 0; i < len(s); i++ {
		if !set[s[i]] {
			return false
		}
	}
	return true
}

// isIntSyntax reports whether s has the syntax of strconv.ParseInt or
// ParseUint with base 0 (and no underscores), so that they fail on it only
// if it is out of range.
func isIntSyntax(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits := "0123456789"
	switch {
	case s == "":
		return false
	case len(s) >= 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		s, digits = s[2:], "0123456789abcdefABCDEF"
	case len(s) >= 3 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'):
		s, digits = s[2:], "01234567"
	case len(s) >= 3 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'):
		s, digits = s[2:], "01"
	case s[0] == '0':
		s, digits = s[1:], "01234567"
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(digits, s[i]) < 0 {
			return false
		}
	}
	return true
}

// timestampFormats are resolve.go's allowedTimestampFormats.
var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp reports whether yaml.v2's parseTimestamp accepts s.
func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, f := range timestampFormats {
		if _, err := time.Parse(f, s); err == nil {
			return true
		}
	}
	return false
}

// isYAMLFloat matches resolve.go's yamlStyleFloat,
// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$.
func isYAMLFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		if i = skipDigits(s, i+1); i == 0 {
			return false
		}
	} else {
		if i = skipDigits(s, i); i == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			for i < len(s) && '0' <= s[i] && s[i] <= '9' {
				i++
			}
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if i = skipDigits(s, i); i == 0 {
			return false
		}
	}
	return i == len(s)
}

// skipDigits returns the index after the digits at s[i:], or 0 if there
// are none.
func skipDigits(s string, i int) int {
	start := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == start {
		return 0
	}
	return i
}

// isBase60Float matches encode.go's isBase60Float,
// ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$.
func isBase60Float(s string) bool {
	if s == "" || !(s[0] == '+' || s[0] == '-' || '0' <= s[0] && s[0] <= '9') || strings.IndexByte(s, ':') < 0 {
		return false
	}
	isDigit := func(i int) bool { return i < len(s) && '0' <= s[i] && s[i] <= '9' }
	isDigitOr_ := func(i int) bool { return isDigit(i) || i < len(s) && s[i] == '_' }
	i := 0
	if s[0] == '+' || s[0] == '-' {
		i++
	}
	if !isDigit(i) {
		return false
	}
	for i++; isDigitOr_(i); i++ {
	}
	groups := 0
	for i < len(s) && s[i] == ':' {
		i++
		switch {
		case isDigit(i) && s[i] <= '5' && isDigit(i+1):
			i += 2
		case isDigit(i):
			i++
		default:
			return false
		}
		groups++
	}
	if groups == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		for i++; isDigitOr_(i); i++ {
		}
	}
	return i == len(s)
}

// scalarInfo is what yaml_emitter_analyze_scalar finds out about a
// scalar, less what only flow context uses.
type scalarInfo struct {
	simple       bool // only printable ASCII and no ':' or '#' (see analyzeSimple)
	multiline    bool // has a line break
	blockPlain   bool // may be plain in block context
	singleQuoted bool // may be single-quoted
	block        bool // may be a literal or folded block scalar
}

// analyzeScalar ports yaml_emitter_analyze_scalar (with unicode output
// on). s must be valid UTF-8.
func analyzeScalar(s string) scalarInfo {
	if s == "" {
		return scalarInfo{blockPlain: true, singleQuoted: true}
	}
	if info, ok := analyzeSimple(s); ok {
		return info
	}
	var (
		blockIndicators, lineBreaks, special                               bool
		leadingSpace, leadingBreak, trailingSpace, trailingBreak           bool
		breakSpace, spaceBreak, precededByWhitespace, prevSpace, prevBreak bool
	)
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockIndicators = true
	}
	precededByWhitespace = true
	for i, w := 0, 0; i < len(s); i += w {
		w = width(s[i])
		followedByWhitespace := i+w >= len(s) || s[i+w] == ' ' || s[i+w] == '\t'
		switch c := s[i]; {
		case i == 0 && firstIndicators[c]:
			blockIndicators = true
		case i == 0 && (c == '?' || c == ':' || c == '-'):
			blockIndicators = blockIndicators || followedByWhitespace
		case c == ':':
			blockIndicators = blockIndicators || followedByWhitespace
		case c == '#' && i > 0:
			blockIndicators = blockIndicators || precededByWhitespace
		}
		if !isPrintable(s, i) {
			special = true
		}
		switch {
		case s[i] == ' ':
			leadingSpace = leadingSpace || i == 0
			trailingSpace = trailingSpace || i+w == len(s)
			breakSpace = breakSpace || prevBreak
			prevSpace, prevBreak = true, false
		case isBreak(s, i):
			lineBreaks = true
			leadingBreak = leadingBreak || i == 0
			trailingBreak = trailingBreak || i+w == len(s)
			spaceBreak = spaceBreak || prevSpace
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		precededByWhitespace = isBlankz(s, i)
	}
	info := scalarInfo{multiline: lineBreaks, blockPlain: true, singleQuoted: true, block: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak || lineBreaks || blockIndicators {
		info.blockPlain = false
	}
	if trailingSpace {
		info.block = false
	}
	if breakSpace {
		info.blockPlain, info.singleQuoted = false, false
	}
	if spaceBreak || special {
		info.blockPlain, info.singleQuoted, info.block = false, false, false
	}
	return info
}

// simpleByte marks the bytes that matter to analyzeScalar only at the
// start of a string: printable ASCII but space, ':' and '#'.
var simpleByte = func() (t [256]bool) {
	for c := 0x21; c <= 0x7E; c++ {
		t[c] = c != ':' && c != '#'
	}
	return t
}()

// firstIndicators are the bytes that keep a string that starts with them
// from being plain.
var firstIndicators = newByteSet("#,[]{}&*!|>'\"%@`")

// analyzeSimple is analyzeScalar for the usual strings: simpleBytes and
// spaces, with no space at either end. It reports false for others.
func analyzeSimple(s string) (scalarInfo, bool) {
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return scalarInfo{}, false
	}
	for i := 0; i < len(s); i++ {
		if !simpleByte[s[i]] && s[i] != ' ' {
			return scalarInfo{}, false
		}
	}
	info := scalarInfo{simple: true, blockPlain: true, singleQuoted: true, block: true}
	switch c := s[0]; {
	case firstIndicators[c],
		(c == '-' || c == '?') && (len(s) == 1 || s[1] == ' '),
		strings.HasPrefix(s, "---"), strings.HasPrefix(s, "..."):
		info.blockPlain = false
	}
	return info, true
}

// width returns the length of the UTF-8 sequence that starts with b, or 0
// if b is a continuation byte (yamlprivateh.go width).
func width(b byte) int {
	switch {
	case b&0x80 == 0:
		return 1
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 3
	case b&0xF8 == 0xF0:
		return 4
	}
	return 0
}

// isPrintable ports yamlprivateh.go is_printable: LF, printable ASCII and
// U+00A0..U+FFFD except U+FEFF and the surrogates; not tab, DEL, C1
// controls (so not U+0085 either) or anything above U+FFFF.
func isPrintable(s string, i int) bool {
	switch b := s[i]; {
	case b == 0x0A, 0x20 <= b && b <= 0x7E:
		return true
	case b == 0xC2:
		return s[i+1] >= 0xA0
	case 0xC2 < b && b < 0xED, b == 0xEE:
		return true
	case b == 0xED:
		return s[i+1] < 0xA0
	case b == 0xEF:
		return !(s[i+1] == 0xBB && s[i+2] == 0xBF) && !(s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF))
	}
	return false
}

// isBreak reports whether s[i:] starts with CR, LF, NEL, LS or PS.
func isBreak(s string, i int) bool {
	switch s[i] {
	case '\r', '\n':
		return true
	case 0xC2:
		return s[i+1] == 0x85
	case 0xE2:
		return s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9)
	}
	return false
}

// isBlankz reports whether s[i:] starts with a space, tab, line break or
// NUL.
func isBlankz(s string, i int) bool {
	return s[i] == ' ' || s[i] == '\t' || s[i] == 0 || isBreak(s, i)
}

// naturalLess ports sorter.go keyList.Less for two string keys: runs of
// digits compare by value, letters sort after other characters. It is
// not transitive for some sets of keys (10 < 1a < 9 < 10), for which
// yaml.v2's order depends on Go's map order; there the order of keys is
// whatever insertion sort makes of their byte order.
func naturalLess(a, b string) bool {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) || i == len(b) {
		return len(a) < len(b)
	}
	// Where the first difference is between ASCII non-digits, it decides.
	if x, y := a[i], b[i]; x < utf8.RuneSelf && y < utf8.RuneSelf && !isDigit(x) && !isDigit(y) {
		xl, yl := isLetter(x), isLetter(y)
		if xl != yl {
			return yl
		}
		return x < y
	}
	var abuf, bbuf [48]rune
	return naturalLessRunes(appendRunes(abuf[:0], a), appendRunes(bbuf[:0], b))
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

func naturalLessRunes(ar, br []rune) bool {
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			// In the middle of a number, a zero is a digit like any other.
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		ai, bi := i, i
		for ; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for ; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
