#!/usr/bin/env bash
# The hot path's cost of rate limits (ADR-0022), measured from outside: GET of one
# decision with a personal access token, one server process on CPU 0, wrk on CPU 1,
# limits off / in memory / in Redis, interleaved rounds. The quotas are set far above
# what wrk sends, so every request is served and counted.
#
#   benchmarks/rate_limit_cost.sh [rounds] [seconds]   # REDIS_URL=redis://127.0.0.1:6379/0
#
# Prints requests per second per round and configuration; compare the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
PORT=${PORT:-8765}
DATA=$(mktemp -d /tmp/adr-rate-bench.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$DATA"' EXIT
export ADR_REGISTRY_DATA_DIR=$DATA ADR_REGISTRY_LOG_FORMAT=json
export ADR_REGISTRY_RATE_LIMIT_AUTHENTICATED=1000000000/minute
export ADR_REGISTRY_RATE_LIMIT_ANONYMOUS=1000000000/minute

.venv/bin/adr-registry migrate >/dev/null
TOKEN=$(.venv/bin/adr-registry users create bench | tail -1)
SERVER=""

start() {  # $1: enabled, $2: storage url
    ADR_REGISTRY_RATE_LIMIT_ENABLED=$1 ADR_REGISTRY_RATE_LIMIT_STORAGE_URL=$2 \
        taskset -c 0 .venv/bin/adr-registry serve --port "$PORT" >"$DATA/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return
        sleep 0.1
    done
    echo "the server did not start" >&2; cat "$DATA/server.log" >&2; exit 1
}

stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }

start false ""
AUTH="Authorization: Bearer $TOKEN"
curl -sf -X POST "http://127.0.0.1:$PORT/v1/logs" -H "$AUTH" -H 'content-type: application/json' \
    -d '{"slug":"bench","title":"Bench"}' >/dev/null
curl -sf -X POST "http://127.0.0.1:$PORT/v1/logs/bench/decisions" -H "$AUTH" \
    -H 'content-type: application/json' -d '{"title":"Use PostgreSQL"}' >/dev/null
stop

URL="http://127.0.0.1:$PORT/v1/logs/bench/decisions/1"
for round in $(seq "$ROUNDS"); do
    for config in off memory redis; do
        case $config in
            off) start false "" ;;
            memory) start true "" ;;
            redis) start true "$REDIS_URL" ;;
        esac
        # Warm up, then measure.
        taskset -c 1 wrk -t1 -c8 -d2s -H "$AUTH" "$URL" >/dev/null
        rps=$(taskset -c 1 wrk -t1 -c8 -d"${SECONDS_PER_RUN}s" -H "$AUTH" "$URL" |
            awk '/Requests\/sec/ {print $2}')
        status=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$URL")
        echo "round $round $config $rps req/s (status $status)"
        stop
    done
done
