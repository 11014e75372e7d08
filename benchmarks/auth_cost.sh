#!/usr/bin/env bash
# What authenticating costs the GET of one decision, measured from outside (issue #8:
# a JWT or a personal access token at most 1.2x an anonymous caller, and a refused
# request (401, 404, 429) cheaper than a served one): one
# `adr-registry serve` on CPU 0 (embedded defaults, access log on, rate limits on with
# quotas far above what wrk sends), wrk on CPU 1, the three callers interleaved in every
# round. Prints requests/s and the server's CPU time per request, per round and caller,
# then each caller's median CPU per request over the anonymous one's.
#
#   benchmarks/auth_cost.sh [rounds] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-5}
PORT=${PORT:-8766}
DATA=$(mktemp -d /tmp/adr-auth-bench.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$DATA"' EXIT
export ADR_REGISTRY_DATA_DIR=$DATA ADR_REGISTRY_LOG_FORMAT=json
export ADR_REGISTRY_RATE_LIMIT_AUTHENTICATED=1000000000/minute
export ADR_REGISTRY_RATE_LIMIT_ANONYMOUS=1000000000/minute
PHRASE="a long enough pass phrase"

.venv/bin/adr-registry migrate >/dev/null 2>&1
TOKEN=$(.venv/bin/adr-registry users create bench --admin | tail -1)
printf '%s\n%s\n' "$PHRASE" "$PHRASE" | .venv/bin/adr-registry users create jan --password >/dev/null 2>&1
taskset -c 0 .venv/bin/adr-registry serve --port "$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.1
done
BASE="http://127.0.0.1:$PORT"
curl -sf -X POST "$BASE/v1/logs" -H "Authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' \
    -d '{"slug":"bench","title":"Bench","visibility":"public"}' >/dev/null
curl -sf -X POST "$BASE/v1/logs/bench/decisions" -H "Authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' -d '{"title":"Use PostgreSQL"}' >/dev/null
JWT=$(curl -sf -X POST "$BASE/v1/auth/token" --data-urlencode grant_type=password \
    --data-urlencode username=jan --data-urlencode "password=$PHRASE" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
URL="$BASE/v1/logs/bench/decisions/1"
MISSING="$BASE/v1/logs/bench/decisions/999"
TICKS=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }

run() {  # $1: caller, $2: URL, $3...: wrk's extra arguments
    local caller=$1 url=$2; shift 2
    taskset -c 1 wrk -t1 -c16 -d1s "$@" "$url" >/dev/null
    local before; before=$(cpu_ticks)
    local out; out=$(taskset -c 1 wrk -t1 -c16 -d"${SECONDS_PER_RUN}s" "$@" "$url")
    local after; after=$(cpu_ticks)
    local requests; requests=$(awk '/requests in/ {print $1}' <<<"$out")
    local rps; rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    local non2xx; non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
    awk -v c="$caller" -v r="$rps" -v n="$requests" -v t=$((after - before)) -v hz="$TICKS" \
        -v bad="${non2xx:-0}" \
        'BEGIN {printf "%-10s %9.0f req/s %8.0f us CPU/request  non-2xx %s\n", c, r, t / hz * 1e6 / n, bad}'
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
    echo "round $round"
    run anonymous "$URL"
    run token "$URL" -H "Authorization: Bearer $TOKEN"
    run jwt "$URL" -H "Authorization: Bearer $JWT"
    run 401 "$URL" -H "Authorization: Bearer adr_not-a-token-this-registry-gave-out"
    run 404 "$MISSING"
done | tee "$DATA/results.txt"
# 429: the same server with an anonymous quota wrk spends in its first second.
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
ADR_REGISTRY_RATE_LIMIT_ANONYMOUS=1/minute \
    taskset -c 0 .venv/bin/adr-registry serve --port "$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.1
done
for round in $(seq "$ROUNDS"); do run 429 "$URL"; done | tee -a "$DATA/results.txt"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$DATA/results.txt" <<'PY'
import statistics, sys
cpu = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) > 4 and parts[2] == "req/s":
        cpu.setdefault(parts[0], []).append(float(parts[3]))
base = statistics.median(cpu["anonymous"])
for caller, values in cpu.items():
    print(f"{caller:10} median {statistics.median(values):7.0f} us CPU/request  x{statistics.median(values) / base:.2f}")
PY
