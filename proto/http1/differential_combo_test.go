package http1

import "testing"

// Building blocks of requests and responses on which parsers are known to
// disagree. TestDifferentialCombinations joins them every way (start line,
// one or two field lines, body) and compares both parsers on each result:
// the coverage-guided fuzzers rarely assemble such pairs on their own.
var (
	comboRequestLines = []string{
		"POST / HTTP/1.1\r\nHost: a\r\n",
		"POST / HTTP/1.0\r\n",
		"GET http://h/ HTTP/1.1\r\nHost: a\r\n",
		"CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\n",
		"HEAD / HTTP/1.1\r\nHost: a\r\n",
	}
	comboResponseLines = []string{
		"HTTP/1.1 200 OK\r\n",
		"HTTP/1.0 200 OK\r\n",
		"HTTP/1.1 204 No Content\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n",
		"HTTP/1.1 304 Not Modified\r\n",
		"HTTP/1.1 103 Early Hints\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\n",
		"HTTP/1.1 100 Continue\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\n",
	}
	comboFields = []string{
		"Content-Length: 3\r\n",
		"Content-Length: 0\r\n",
		"Content-Length: 03\r\n",
		"Content-Length: 5\r\n",
		"Content-Length: 3 \r\n",
		"Content-Length: 3,3\r\n",
		"Content-Length: \r\n",
		"Transfer-Encoding: chunked\r\n",
		"Transfer-Encoding: CHUNKED\r\n",
		"Transfer-Encoding: identity\r\n",
		"Transfer-Encoding: gzip\r\n",
		"Transfer-Encoding: chunked, identity\r\n",
		"Transfer-Encoding: gzip, chunked\r\n",
		"Transfer-Encoding: , chunked\r\n",
		"Transfer-Encoding:\r\n",
		"Transfer-Encoding : chunked\r\n",
		"Transfer-Encoding: \tchunked\r\n",
		"Transfer-Encoding: chunked\r\n ,x\r\n",
		"Connection: close\r\n",
		"Connection: keep-alive\r\n",
		"Connection: upgrade\r\nUpgrade: x\r\n",
		"Expect: 100-continue\r\n",
		"Trailer: X-T\r\n",
		"Trailer: Content-Length\r\n",
		"Host: b\r\n",
		"X: a\tb\r\n",
		"X: \xff\r\n",
		"X:\r\n",
		"X: a\nY: b\r\n",
		"X: a\rY: b\r\n",
		"X: a\r\n\tb\r\n",
		"Content-Length: 1\r\n",
	}
	comboBodies = []string{
		"",
		"abc",
		"3\r\nabc\r\n0\r\n\r\n",
		"3;e=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
		"3\r\nabc\r\n0\r\nContent-Length: 9\r\n\r\n",
		"0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"abcGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"3\nabc\n0\n\n",
		"3 \r\nabc\r\n0\r\n\r\n",
		"3\r\nabc0\r\n\r\n",
		"3;e=\"\\\xff\"\r\nabc\r\n0\r\n\r\n",
		"3;e=\"\x01\"\r\nabc\r\n0\r\n\r\n",
		"3\r\nabc\r\n0\r\nX: a\r\n b\r\n\r\n",
		"3\r\nabc\r\n0\r\nX: a\rb\r\n\r\n",
		"3\r\nabc\r\n0\r\nX : a\r\n\r\n",
		"3\r\nabc\r\n0\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n",
		"3\r\nabc\r\n0\r\n\r\n\r\n",
		"0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
	}
)

func TestDifferentialCombinations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("tens of thousands of inputs: not in -short or -race runs")
	}
	fieldSets := [][]string{{}}
	for _, a := range comboFields {
		fieldSets = append(fieldSets, []string{a})
		for _, b := range comboFields {
			fieldSets = append(fieldSets, []string{a, b})
		}
	}
	for _, fs := range fieldSets {
		head := ""
		for _, f := range fs {
			head += f
		}
		for _, body := range comboBodies {
			for _, start := range comboRequestLines {
				diffRequest(t, []byte(start+head+"\r\n"+body))
			}
			for _, start := range comboResponseLines {
				in := []byte(start + head + "\r\n" + body)
				for _, m := range responseMethods {
					diffResponse(t, in, m)
				}
			}
		}
	}
}
