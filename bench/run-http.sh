#!/usr/bin/env bash
# Runs the HTTP plaintext benchmark: every server of cmd/plaintext under wrk,
# the server pinned to one CPU and wrk (one thread) to the other, each
# scenario on a fresh server process. Writes results/http-<date>.md.
#
#   bench/run-http.sh                          # everything, about 3 minutes
#   SERVERS="braid fasthttp" DURATION=5s bench/run-http.sh
#   PROFILE=braid bench/run-http.sh            # also CPU profiles of braid
#
# Scenarios: c256 (CONNS=256 connections, one request at a time each) and
# p16 (as many connections, DEPTH=16 pipelined requests at a time each).
# Servers: braid (native API), bridge (net/http handler on braid), fasthttp,
# net (net/http), gnet (no parser, as in its TechEmpower entry), floor and
# floor-uring (no HTTP at all: raw read and write on epoll, or io_uring, to
# show the kernel's share).
# Environment:
#   SERVERS    servers to run ("braid fasthttp gnet net bridge floor")
#   SCENARIOS  "c$CONNS p$DEPTH", either or both
#   DURATION   measured time per run (10s), after WARMUP (2s)
#   SLICES     5: a run is that many wrk runs of DURATION/SLICES on the same
#              server, and takes the figures of its median slice by CPU per
#              request, so that a burst of other load during one slice
#              does not move them
#   REPEAT     1: rounds over all servers, interleaved so that such bursts
#              hit every server alike; each cell is the median over rounds
#   CONNS (256), DEPTH (16), SERVER_CPU (0), LOAD_CPU (1), PORT (18080),
#   OUT (results), TAG (date)
#   PROFILE    servers to profile: results/prof/http-<server>-<scenario>.pprof
#   NICE       0: priority of server and wrk, e.g. -10 on a machine busy
#              with other work (needs root)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

SERVERS=${SERVERS:-"braid fasthttp gnet net bridge floor"}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-256}
DEPTH=${DEPTH:-16}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PORT=${PORT:-18080}
OUT=${OUT:-results}
TAG=${TAG:-$(date -u +%Y-%m-%d)}
PROFILE=${PROFILE:-}
REPEAT=${REPEAT:-1}
NICE=${NICE:-0}
SLICES=${SLICES:-5}
SCENARIOS=${SCENARIOS:-"c$CONNS p$DEPTH"}

slice=$(( ${DURATION%s} / SLICES ))
(( slice >= 1 )) || { echo "DURATION must give each of SLICES=$SLICES slices at least 1s" >&2; exit 1; }

command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
pin_server=() pin_load=()
if command -v taskset >/dev/null; then
	pin_server=(nice -n "$NICE" taskset -c "$SERVER_CPU")
	pin_load=(nice -n "$NICE" taskset -c "$LOAD_CPU")
fi

bin=$(mktemp -d)
server_pid=
cleanup() {
	[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
	rm -rf "$bin"
}
trap cleanup EXIT

echo "building into $bin"
go build -o "$bin/" ./cmd/plaintext
mkdir -p "$OUT"
[[ -n $PROFILE ]] && mkdir -p "$OUT/prof"
hz=$(getconf CLK_TCK)
url="http://127.0.0.1:$PORT/plaintext"

# cpu_ticks PID: user+system clock ticks of a process (fields 14 and 15 of
# /proc/PID/stat; the name field has no spaces here).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wait_port up|down: until the port takes connections, or until nothing
# listens on it. A server's listening socket can outlive its process for a
# moment (io_uring tears a ring down after the process is gone), and the
# next server must not find the port taken.
wait_port() {
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
			[[ $1 == up ]] && return 0
		else
			[[ $1 == down ]] && return 0
		fi
		sleep 0.1
	done
	echo "port $PORT: not $1 after 10 s" >&2
	return 1
}

raw=$(mktemp)
rounds=()
for scenario in $SCENARIOS; do
	for round in $(seq "$REPEAT"); do
	for s in $SERVERS; do
		args=(-impl "$s" -listen "tcp:$PORT:interface=127.0.0.1")
		if [[ " $PROFILE " == *" $s "* ]]; then
			args+=(-cpuprofile "$OUT/prof/http-$s-$scenario.pprof")
		fi
		"${pin_server[@]}" "$bin/plaintext" "${args[@]}" >/dev/null 2>&1 &
		server_pid=$!
		wait_port up
		wrk_args=(-t1 -c"$CONNS" --latency)
		[[ $scenario == p* ]] && wrk_args+=(-s "$here/cmd/plaintext/pipeline.lua")
		extra=()
		[[ $scenario == p* ]] && extra=(-- "$DEPTH")
		"${pin_load[@]}" wrk "${wrk_args[@]}" -d"$WARMUP" "$url" "${extra[@]}" >/dev/null
		# SLICES wrk runs back to back on the same server (see above).
		slices=() errs=
		for _ in $(seq "$SLICES"); do
			t0=$(cpu_ticks "$server_pid")
			out=$("${pin_load[@]}" wrk "${wrk_args[@]}" -d"${slice}s" "$url" "${extra[@]}")
			t1=$(cpu_ticks "$server_pid")
			errs+=$(awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' <<<"$out")
			# "CPU/req requests/s CPU% p50 p99" of the slice.
			slices+=("$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v d="$slice" '
				/requests in/ { n = $1 }
				/Requests\/sec:/ { rps = $2 }
				$1 == "50%" { p50 = $2 }
				$1 == "99%" { p99 = $2 }
				END { printf "%s %s %.0f%% %s %s", (n > 0 ? sprintf("%.2f", (b - a) / hz * 1e6 / n) : "-"), rps, (b - a) / hz / d * 100, p50, p99 }' <<<"$out")")
		done
		kill -INT "$server_pid"; wait "$server_pid" 2>/dev/null || true
		server_pid=
		wait_port down
		read -r cpu_us rps util p50 p99 < <(printf '%s\n' "${slices[@]}" | sort -n | sed -n "$(( (SLICES + 1) / 2 ))p")
		echo "$scenario $s (round $round): $rps req/s, $cpu_us µs CPU/req, server CPU $util, p50 $p50, p99 $p99 ${errs}"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$s" "$rps" "$cpu_us" "$util" "$p50" "$p99" "${errs:-}" >>"$raw"
		rounds+=("| $scenario | $s | $round | $rps | $cpu_us | $util | $p50 | $p99 |")
	done
	done
done

# Each cell is the median over the rounds, column by column; requests/s and
# CPU per request are also shown relative to fasthttp's in the same
# scenario (the issue's targets: >= 1.15x/1.25x requests, <= 0.8x CPU).
mapfile -t rows < <(awk -F'\t' -v order="$SERVERS" -v scenarios="$SCENARIOS" '
	function mid(v, m,    i, j, t) {
		for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
		return v[int((m + 1) / 2)]
	}
	function median(key, col,    m, i, v) {
		m = n[key]
		for (i = 1; i <= m; i++) v[i] = val[key, i, col] + 0
		return mid(v, m)
	}
	# paired: the median over the rounds of the ratio to fasthttp within
	# each round, whose runs follow each other: a burst of load from
	# elsewhere moves both figures of a pair alike.
	function paired(key, fk, col,    m, i, v) {
		m = n[key] < n[fk] ? n[key] : n[fk]
		for (i = 1; i <= m; i++) v[i] = val[fk, i, col] > 0 ? val[key, i, col] / val[fk, i, col] : 0
		return mid(v, m)
	}
	{
		key = $1 SUBSEP $2; k = ++n[key]
		for (c = 3; c <= 8; c++) val[key, k, c] = $c
		if ($8 != "") errs[key] = errs[key] $8 " "
		if (k == 1) { p50[key] = $6; p99[key] = $7 }
	}
	END {
		ns = split(order, srv, " ")
		nsc = split(scenarios, sc, " ")
		for (i = 1; i <= nsc; i++) {
			fk = sc[i] SUBSEP "fasthttp"
			frps = (fk in n) ? median(fk, 3) : 0
			fcpu = (fk in n) ? median(fk, 4) : 0
			for (j = 1; j <= ns; j++) {
				key = sc[i] SUBSEP srv[j]
				if (!(key in n)) continue
				rps = median(key, 3); cpu = median(key, 4)
				r1 = frps > 0 ? sprintf("%.2fx", rps / frps) : "-"
				r2 = fcpu > 0 ? sprintf("%.2fx", cpu / fcpu) : "-"
				p1 = (fk in n) ? sprintf("%.2fx", paired(key, fk, 3)) : "-"
				p2 = (fk in n) ? sprintf("%.2fx", paired(key, fk, 4)) : "-"
				printf "| %s | %s | %.0f | %s | %s | %.2f | %s | %s | %.0f%% | %s |\n", sc[i], srv[j], rps, r1, p1, cpu, r2, p2, median(key, 5), errs[key]
			}
		}
	}' "$raw")
rm -f "$raw"

file="$OUT/http-$TAG.md"
{
	echo "# HTTP plaintext, $TAG"
	echo
	echo "GET /plaintext → 200 \"Hello, World!\" (text/plain). Server pinned to CPU $SERVER_CPU, one"
	echo "event loop; wrk -t1 -c$CONNS pinned to CPU $LOAD_CPU. A run is a fresh server, a $WARMUP warm-up,"
	echo "then $SLICES wrk runs of ${slice}s; the run's figures are its median slice's by CPU per request."
	echo "Each cell is the median of $REPEAT interleaved round(s). c$CONNS: one request in flight per"
	echo "connection; p$DEPTH: $DEPTH pipelined. CPU/req is the server's user+system time (/proc/PID/stat)"
	echo "over the requests wrk completed; nice $NICE. $(nproc) CPUs, $(uname -r), $(go version | cut -d' ' -f3)."
	echo
	echo "\"vs fasthttp\" compares the medians; \"paired\" is the median of each round's"
	echo "ratio to fasthttp's run in the same round, which a burst of other load on"
	echo "the machine moves less."
	echo
	echo "| scenario | server | requests/s | vs fasthttp | paired | CPU µs/req | vs fasthttp | paired | server CPU | errors |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Every run, in the order run (server CPU well under 100% means the server"
	echo "was waiting for wrk or for a CPU the machine gave to other work):"
	echo
	echo "| scenario | server | round | requests/s | CPU µs/req | server CPU | p50 | p99 |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rounds[@]}"
} >"$file"
echo "wrote $file"
