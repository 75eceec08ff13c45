#!/usr/bin/env bash
# Runs the echo benchmark matrix: every server × every scenario, the server
# pinned to one CPU and the load generator to the other, each run on a fresh
# server process. Writes results/echo-<date>.json (raw) and
# results/echo-<date>.md (tables).
#
#   bench/run-echo.sh                       # everything, about 10 minutes
#   SERVERS="braid gnet" bench/run-echo.sh  # a subset of servers
#   SCENARIOS="c100 idle10k" DURATION=2s bench/run-echo.sh
#   PROFILE=braid bench/run-echo.sh         # also CPU profiles of braid's server
#
# Environment: SERVERS, SCENARIOS, DURATION (5s), WARMUP (1s), SERVER_CPU (0),
# LOAD_CPU (1), OUT (results), TAG (date, part of the file names), PROFILE,
# REPEAT (1: runs of the whole matrix; the report shows each cell's median),
# NICE (0: scheduling priority of server and load, e.g. -10 on a busy machine;
# negative values need root and slow everything else down).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

all_servers="braid braid-portable gnet nbio evio net"
SERVERS=${SERVERS:-$all_servers}
SCENARIOS=${SCENARIOS:-"c100 c1k c10k pipe16 big16k idle10k"}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
OUT=${OUT:-results}
TAG=${TAG:-$(date -u +%Y-%m-%d)}
PROFILE=${PROFILE:-}
REPEAT=${REPEAT:-1}
NICE=${NICE:-0}

# name|kind|flags|description
scenario_def() {
	case $1 in
	c100) echo "load|-conns 100 -size 64 -inflight 1|64 B echo, 1 in flight, 100 connections" ;;
	c1k) echo "load|-conns 1000 -size 64 -inflight 1|64 B echo, 1 in flight, 1,000 connections" ;;
	c10k) echo "load|-conns 10000 -size 64 -inflight 1|64 B echo, 1 in flight, 10,000 connections" ;;
	pipe16) echo "load|-conns 100 -size 64 -inflight 16|64 B echo, 16 in flight, 100 connections" ;;
	big16k) echo "load|-conns 10 -size 16384 -inflight 1|16 KiB echo, 1 in flight, 10 connections" ;;
	idle10k) echo "idle|-conns 10000|10,000 idle connections (one echo each, then idle)" ;;
	*) echo "unknown scenario $1" >&2; return 1 ;;
	esac
}

bin=$(mktemp -d)
servers_running=()
cleanup() {
	for p in "${servers_running[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$bin"
}
trap cleanup EXIT

read -r load1 _ </proc/loadavg
if awk -v l="$load1" 'BEGIN { exit !(l > 1.0) }'; then
	echo "warning: load average $load1 before starting: other work is running, figures will be noisy (REPEAT=3 helps)" >&2
fi
echo "building into $bin"
go build -o "$bin/" ./cmd/echoserver ./cmd/echoload ./cmd/idlemem ./cmd/echoreport

# Drop servers this build does not have (braid's appear once the reactor does).
have=$("$bin/echoserver" -list | tr '\n' ' ')
servers=()
for s in $SERVERS; do
	if [[ " $have " == *" $s "* ]]; then servers+=("$s"); else echo "skipping server $s: not built in" >&2; fi
done

mkdir -p "$OUT"
raw=$(mktemp -d)
[[ -n $PROFILE ]] && mkdir -p "$OUT/prof"

# Commands are run through taskset directly (not through a shell function), so
# that $! is the server's own pid, which the load generators read /proc for.
server_pin=()
load_pin=()
if command -v taskset >/dev/null; then
	server_pin=(nice -n "$NICE" taskset -c "$SERVER_CPU")
	load_pin=(nice -n "$NICE" taskset -c "$LOAD_CPU")
else
	echo "taskset not found: server and load are not pinned" >&2
fi

# start_server impl port logfile [extra flags]: sets $server_pid.
start_server() {
	local impl=$1 port=$2 log=$3; shift 3
	: >"$log"
	GOMAXPROCS=1 "${server_pin[@]}" "$bin/echoserver" -impl "$impl" -addr "127.0.0.1:$port" "$@" >"$log" 2>&1 &
	server_pid=$!
	servers_running+=("$server_pid")
	for _ in $(seq 100); do
		grep -q listening "$log" && return 0
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "server $impl did not start:" >&2
	cat "$log" >&2
	return 1
}

stop_server() {
	kill -TERM "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	servers_running=()
}

port=17100
n=0
for rep in $(seq "$REPEAT"); do
for scen in $SCENARIOS; do
	IFS='|' read -r kind flags desc <<<"$(scenario_def "$scen")"
	for impl in "${servers[@]}"; do
		log="$raw/$impl-$scen-$rep.log"
		prof=()
		[[ " $PROFILE " == *" $impl "* ]] && prof=(-cpuprofile "$OUT/prof/$impl-$scen-$rep.pprof")
		# A fresh port per run keeps the last run's TIME_WAIT out of the
		# way; a port something else holds is skipped.
		started=""
		for _ in 1 2 3 4 5; do
			port=$((port + 1))
			if start_server "$impl" "$port" "$log" "${prof[@]}"; then started=1; break; fi
		done
		[[ -n $started ]] || continue
		out="$raw/$impl-$scen-$rep.json"
		echo "== $impl / $scen (run $rep of $REPEAT)"
		if [[ $kind == load ]]; then
			# shellcheck disable=SC2086
			GOMAXPROCS=1 "${load_pin[@]}" "$bin/echoload" -addr "127.0.0.1:$port" $flags \
				-duration "$DURATION" -warmup "$WARMUP" -server-pid "$server_pid" \
				-label "$impl" -scenario "$scen" -json "$out" || echo "   (errors reported)"
		else
			# shellcheck disable=SC2086
			GOMAXPROCS=1 "${load_pin[@]}" "$bin/idlemem" -addr "127.0.0.1:$port" $flags \
				-server-pid "$server_pid" -label "$impl" -scenario "$scen" -json "$out" || echo "   (errors reported)"
		fi
		stop_server
		n=$((n + 1))
	done
done
done

# Assemble one JSON array: a header describing the run, then every result.
json="$OUT/echo-$TAG.json"
{
	printf '[\n{"kind":"run","date":"%s","machine":{' "$(date -u +%Y-%m-%dT%H:%MZ)"
	printf '"cpu":"%s",' "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
	printf '"cpus":"%s",' "$(nproc)"
	printf '"kernel":"%s",' "$(uname -r)"
	printf '"go":"%s"},' "$(go env GOVERSION)"
	printf '"settings":{"duration":"%s","warmup":"%s","server cpu":"%s (GOMAXPROCS=1)","load cpu":"%s (GOMAXPROCS=1)","repeat":"%s","nice":"%s"},' \
		"$DURATION" "$WARMUP" "$SERVER_CPU" "$LOAD_CPU" "$REPEAT" "$NICE"
	printf '"servers":['
	sep=""
	for s in "${servers[@]}"; do printf '%s"%s"' "$sep" "$s"; sep=","; done
	printf '],"scenarios":['
	sep=""
	for scen in $SCENARIOS; do
		IFS='|' read -r _ _ desc <<<"$(scenario_def "$scen")"
		printf '%s{"name":"%s","desc":"%s"}' "$sep" "$scen" "$desc"
		sep=","
	done
	printf ']}'
	for f in "$raw"/*.json; do
		[[ -e $f ]] || continue
		printf ',\n'
		cat "$f"
	done
	printf '\n]\n'
} >"$json"
rm -rf "$raw"

"$bin/echoreport" -in "$json" -out "$OUT/echo-$TAG.md"
echo "wrote $json and $OUT/echo-$TAG.md ($n runs)"
