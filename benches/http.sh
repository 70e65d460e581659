#!/usr/bin/env bash
# HTTP load figures for benches/README.md: cold start, dashboard, API and a static file at 64
# connections, on the demo data and on the synthetic national data, and the server's peak RSS.
# Needs wrk (apt-get install wrk). Usage: benches/http.sh [seconds-per-run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-10}
PASSWORD=bench-password-1
PORT=${ANJU_BENCH_PORT:-18080}
BIN=${CARGO_TARGET_DIR:-target}/release/anju
WORK=$(mktemp -d)
trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet

# Starts the server on database $1 (extra flags after it); sets PID and STARTUP_MS, the
# milliseconds from spawn to the first successful /healthz.
start() {
    local db=$1
    shift
    local began
    began=$(date +%s%N)
    ANJU_DEMO_PASSWORD=$PASSWORD ANJU_ADMIN_PASSWORD=$PASSWORD RUST_LOG=warn \
        "$BIN" --db "$db" serve --addr "127.0.0.1:$PORT" "$@" >"$WORK/server.log" 2>&1 &
    PID=$!
    until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.005; done
    STARTUP_MS=$(( ($(date +%s%N) - began) / 1000000 ))
}

stop() {
    kill "$PID"
    wait "$PID" 2>/dev/null || true
}

session() {
    curl -fs -c "$WORK/cookies" -o /dev/null -d "username=admin&password=$PASSWORD" "http://127.0.0.1:$PORT/login"
    awk '$6 == "anju_session" { print $7 }' "$WORK/cookies"
}

# Requests carry the Accept-Encoding Chromium sends, as every browser does; `load_plain` runs
# without it, for a client that takes the bytes uncompressed.
BROWSER_ENCODING="Accept-Encoding: gzip, deflate, br, zstd"

load() {
    run "$1" "$2" "$3" "$BROWSER_ENCODING"
}

load_plain() {
    run "$1 (uncompressed)" "$2" "$3" "Accept-Encoding: identity"
}

run() {
    local label=$1 path=$2 token=$3 encoding=$4
    echo "== $label: GET $path"
    # One request first: the figures are of a server in use, not of its first computation.
    curl -fs -o /dev/null -H "$encoding" -H "Cookie: anju_session=$token" "http://127.0.0.1:$PORT$path"
    echo "response body: $(curl -fs -H "$encoding" -H "Cookie: anju_session=$token" \
        "http://127.0.0.1:$PORT$path" | wc -c) bytes as sent"
    wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -H "$encoding" -H "Cookie: anju_session=$token" \
        "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" || true
}

rss() {
    echo "server peak RSS: $(awk '/VmHWM/ { print $2 / 1024 " MiB" }' "/proc/$PID/status")"
}

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"

echo "# demo data"
start "$WORK/demo.db" --demo
echo "cold start on a new demo database (loads the demo data): $STARTUP_MS ms"
stop
start "$WORK/demo.db" --demo
echo "cold start on the existing demo database: $STARTUP_MS ms"
TOKEN=$(session)
load "static file (ceiling)" "/static/app.css" "$TOKEN"
load "dashboard" "/?period=2021Q4" "$TOKEN"
load "API progress" "/api/v1/progress?period=2021Q4" "$TOKEN"
load_plain "static file (ceiling)" "/static/app.css" "$TOKEN"
load_plain "dashboard" "/?period=2021Q4" "$TOKEN"
load_plain "API progress" "/api/v1/progress?period=2021Q4" "$TOKEN"
rss
stop

echo "# national data"
started=$(date +%s%N)
"$BIN" --db "$WORK/national.db" gen
echo "gen took $(( ($(date +%s%N) - started) / 1000000 )) ms; file $(du -h "$WORK/national.db" | cut -f1)"
start "$WORK/national.db"
stop
start "$WORK/national.db"
echo "cold start on the existing national database: $STARTUP_MS ms"
TOKEN=$(session)
load "static file (ceiling)" "/static/app.css" "$TOKEN"
load "dashboard" "/?period=2021Q4" "$TOKEN"
load "API progress" "/api/v1/progress?period=2021Q4" "$TOKEN"
load "API progress, one province" "/api/v1/progress?period=2021Q4&region=440000" "$TOKEN"
load_plain "dashboard" "/?period=2021Q4" "$TOKEN"
load_plain "API progress" "/api/v1/progress?period=2021Q4" "$TOKEN"
rss
stop
