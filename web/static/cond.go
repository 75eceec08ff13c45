package static

import (
	"net/http"
	"strings"
	"time"
)

// validators are what conditional requests compare against.
type validators struct {
	etag    string    // strong entity tag, quoted
	modTime time.Time // truncated to seconds, as HTTP dates are
	// lastMod is modTime as sent in Last-Modified: a date a client echoes
	// back unchanged compares equal without being parsed.
	lastMod string
}

// outcome of evaluating preconditions.
type outcome int

const (
	proceed            outcome = iota // serve the request
	notModified                       // 304
	preconditionFailed                // 412
)

// condHeaders are the request fields that take part in RFC 9110 section
// 13.2.2's evaluation; an absent field is "".
type condHeaders struct {
	ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince, ifRange string
}

// evaluate follows the order of RFC 9110 section 13.2.2 for a resource
// that exists, with method GET or HEAD.
func (v validators) evaluate(h condHeaders) outcome {
	// Step 1 and 2: If-Match, else If-Unmodified-Since.
	if h.ifMatch != "" {
		if !matchList(h.ifMatch, v.etag, true) {
			return preconditionFailed
		}
	} else if h.ifUnmodifiedSince != "" {
		if t, err := http.ParseTime(h.ifUnmodifiedSince); err == nil && v.modTime.After(t) {
			return preconditionFailed
		}
	}
	// Step 3 and 4: If-None-Match, else If-Modified-Since (GET and HEAD
	// only, which is all this handler serves).
	if h.ifNoneMatch != "" {
		if matchList(h.ifNoneMatch, v.etag, false) {
			return notModified
		}
	} else if h.ifModifiedSince != "" {
		if v.lastMod != "" && h.ifModifiedSince == v.lastMod {
			return notModified
		}
		if t, err := http.ParseTime(h.ifModifiedSince); err == nil && !v.modTime.After(t) {
			return notModified
		}
	}
	return proceed
}

// rangeApplies reports whether a Range field may be honoured given
// If-Range (RFC 9110 section 13.1.5): absent, a strong ETag match, or an
// HTTP date exactly equal to Last-Modified.
func (v validators) rangeApplies(ifRange string) bool {
	if ifRange == "" {
		return true
	}
	if strings.HasPrefix(ifRange, `"`) || strings.HasPrefix(ifRange, "W/") {
		return !strings.HasPrefix(ifRange, "W/") && ifRange == v.etag
	}
	if v.lastMod != "" && ifRange == v.lastMod {
		return true
	}
	t, err := http.ParseTime(ifRange)
	return err == nil && t.Equal(v.modTime)
}

// matchList reports whether the field value list (a "*" or a list of
// entity tags) matches etag. strong selects the strong comparison of RFC
// 9110 section 8.8.3.2 (If-Match); otherwise weak (If-None-Match).
func matchList(list, etag string, strong bool) bool {
	list = strings.TrimSpace(list)
	if list == "*" {
		return true
	}
	for {
		list = strings.TrimLeft(list, " \t,")
		if list == "" {
			return false
		}
		weak := false
		if strings.HasPrefix(list, "W/") {
			weak = true
			list = list[2:]
		}
		if !strings.HasPrefix(list, `"`) {
			return false // malformed: nothing after it can be trusted
		}
		end := strings.IndexByte(list[1:], '"')
		if end < 0 {
			return false
		}
		tag := list[:end+2]
		list = list[end+2:]
		if tag == etag && !(strong && weak) {
			return true
		}
	}
}
