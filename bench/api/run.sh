#!/bin/bash
# bench/api/run.sh: the API benchmark. timond over plain HTTP on
# 127.0.0.1, with wrk for load and Debian's nginx serving files of the
# same sizes beside it as the machine's HTTP ceiling:
#
#   1. GET one pod and LIST LIST_PODS pods: requests/s, p50, p99; nginx
#      (worker_processes auto, and 1) serving the same bytes from files;
#   2. creates on the durable sqlite store at 1, 16 and 256 connections,
#      counting 201s against the other answers;
#   3. watch fan-out: WATCHERS watches, how long after a create's 201 the
#      last of them has the event, and whether each got each exactly once;
#   4. memory (VmRSS) idle and holding PODS pods, and the time from exec
#      to the first 200 from /readyz, empty and with PODS pods.
#
# A measurement, not a test: it prints figures beside their targets and
# never fails on a time; it fails when it cannot measure. Every process
# it starts is stopped by PID at the end, and its temporary folder removed.
#
# Usage: bench/api/run.sh [BUILDDIR]      (default: build; `make bench-api`)
# Environment (the defaults are the full run; QUICK=1 scales it all down):
#   DURATION=10s          each wrk run
#   READ_CONNS="16 256"   connections for GET and LIST
#   LIST_PODS=1000        pods the LIST returns
#   CREATE_CONNS="1 16 256"
#   WATCHERS=1000 EVENTS=200 RATE=20 BURST=100   the fan-out
#   PODS=100000           pods held for the memory and start-up figures
#   STARTUP_RUNS=5        start-ups on the empty store (3 with PODS pods)
#   WRK_THREADS=2         wrk threads (fewer when there are fewer connections)
#   KEEP=1                keep the temporary folder (data, logs, wrk output)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${BUILD:-build}}
case "$BUILD" in
/*) ;;
*) BUILD="$ROOT/$BUILD" ;;
esac

if [ "${QUICK:-0}" = 1 ]; then
  : "${DURATION:=3s}" "${WATCHERS:=100}" "${EVENTS:=40}" "${BURST:=20}" "${PODS:=10000}"
  : "${STARTUP_RUNS:=3}" "${READ_CONNS:=16}"
fi
DURATION=${DURATION:-10s}
READ_CONNS=${READ_CONNS:-16 256}
LIST_PODS=${LIST_PODS:-1000}
CREATE_CONNS=${CREATE_CONNS:-1 16 256}
WATCHERS=${WATCHERS:-1000}
EVENTS=${EVENTS:-200}
RATE=${RATE:-20}
BURST=${BURST:-100}
PODS=${PODS:-100000}
STARTUP_RUNS=${STARTUP_RUNS:-5}
STARTUP_BIG_RUNS=${STARTUP_BIG_RUNS:-3}
WRK_THREADS=${WRK_THREADS:-2}
KEEP=${KEEP:-0}

TIMOND="$BUILD/core/daemon/timond"
HELPER="$BUILD/bench/api/bench-watch-fanout"
POD_FILE="$ROOT/bench/api/pod.json"
REPORT_LUA="$ROOT/bench/api/report.lua"
CREATE_LUA="$ROOT/bench/api/create.lua"
NS_PATH=/api/v1/namespaces/default/pods
export POD_FILE

for f in "$TIMOND" "$HELPER"; do
  if [ ! -x "$f" ]; then
    echo "bench-api: $f is missing: build first (ninja -C $BUILD)" >&2
    exit 1
  fi
done
for tool in wrk nginx curl; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "bench-api: $tool is missing: sh scripts/install-bench-deps.sh" >&2
    exit 1
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# Enough descriptors for the watchers, in this shell and so in timond.
need=$((WATCHERS + 512))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi

T=$(mktemp -d /tmp/timon-bench-api.XXXXXX)
# nginx's workers run as nobody when started by root: they read www/.
chmod 755 "$T"
PIDS=()
declare -A R
FAILURES=()
NOTES=()

# ---- processes, stopped by PID ----

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 500); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "bench-api: PID $pid ignored SIGTERM for 10 s: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  local kept=()
  for i in "${PIDS[@]}"; do
    [ "$i" = "$pid" ] || kept+=("$i")
  done
  PIDS=("${kept[@]}")
  return 0
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    stop_pid "$pid"
  done
  if [ "$KEEP" = 1 ]; then
    echo "bench-api: kept $T"
  else
    rm -rf "$T"
  fi
}
trap cleanup EXIT
trap 'echo "bench-api: interrupted" >&2; exit 130' INT TERM

# What went wrong makes the run fail; what timond logged is only shown.
fail_note() {
  FAILURES+=("$1")
  echo "  !! $1"
}

warn_note() {
  NOTES+=("$1")
  echo "  !! $1"
}

# "@ KEY=VALUE" lines of FILE into R[PREFIX.KEY].
collect() {
  local prefix=$1 file=$2 key value
  while IFS='=' read -r key value; do
    R["$prefix.${key#@ }"]=$value
  done < <(grep '^@ ' "$file")
}

val() {
  echo "${R[$1]:--}"
}

# num VALUE DECIMALS: "-" stays "-".
num() {
  awk -v v="$1" -v d="${2:-0}" 'BEGIN { if (v == "-" || v == "" || v == "nan") print "-"; else printf "%.*f", d, v }'
}

# The rate and p50/p99 of R[KEY.*], for the summary.
rate() {
  num "$(val "$1.rate")" 0
}

lat() {
  echo "$(num "$(val "$1.p50_ms")" 2)/$(num "$(val "$1.p99_ms")" 2)"
}

rss_kb() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo -
}

hwm_kb() {
  awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo -
}

mb() {
  case "$1" in
  '' | -) echo - ;;
  *) awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' ;;
  esac
}

# Starts timond on a fresh data folder: TIMOND_PID, TIMOND_ADDR, TIMOND_LOG.
start_timond() {
  local name=$1 i
  local dir="$T/$name"
  mkdir -p "$dir"
  TIMOND_LOG="$T/$name.log"
  : >"$TIMOND_LOG"
  "$TIMOND" --listen 127.0.0.1:0 --data-dir "$dir" >"$TIMOND_LOG" 2>&1 &
  TIMOND_PID=$!
  PIDS+=("$TIMOND_PID")
  TIMOND_ADDR=
  for i in $(seq 1 3000); do
    TIMOND_ADDR=$(sed -n 's/.*timond ready at http:\/\/\([0-9.:]*\).*/\1/p' "$TIMOND_LOG")
    [ -n "$TIMOND_ADDR" ] && break
    if ! kill -0 "$TIMOND_PID" 2>/dev/null; then
      echo "bench-api: timond exited at start:" >&2
      cat "$TIMOND_LOG" >&2
      exit 1
    fi
    sleep 0.01
  done
  if [ -z "$TIMOND_ADDR" ]; then
    echo "bench-api: timond was not ready after 30 s" >&2
    exit 1
  fi
  TIMOND_PORT=${TIMOND_ADDR##*:}
}

# Stops the current timond, saying so when it died before.
stop_timond() {
  if ! kill -0 "$TIMOND_PID" 2>/dev/null; then
    fail_note "timond (PID $TIMOND_PID) had exited; the end of its log:"
    tail -20 "$TIMOND_LOG" | sed 's/^/     /'
  fi
  stop_pid "$TIMOND_PID"
  # Warnings and criticals mean a bug: show them.
  if grep -qE 'WARNING|CRITICAL|ERROR' "$TIMOND_LOG"; then
    warn_note "timond logged warnings (first 5 of $(grep -cE 'WARNING|CRITICAL|ERROR' "$TIMOND_LOG")):"
    grep -E 'WARNING|CRITICAL|ERROR' "$TIMOND_LOG" | head -5 | sed 's/^/     /'
  fi
}

check_timond() {
  if ! kill -0 "$TIMOND_PID" 2>/dev/null; then
    fail_note "timond (PID $TIMOND_PID) died during: $1"
    tail -20 "$TIMOND_LOG" | sed 's/^/     /'
    return 1
  fi
}

# Starts nginx with WORKERS worker processes on a free port, serving www/.
start_nginx() {
  local workers=$1 i
  local dir="$T/nginx-$workers"
  mkdir -p "$dir/tmp"
  NGINX_PORT=$("$HELPER" --mode free-port)
  cat >"$dir/nginx.conf" <<EOF
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile 20000;
events {
  worker_connections 4096;
}
http {
  access_log off;
  default_type application/json;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $T/www;
  }
}
EOF
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  for i in $(seq 1 500); do
    curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/pod.json" && break
    if ! kill -0 "$NGINX_PID" 2>/dev/null; then
      echo "bench-api: nginx did not start:" >&2
      cat "$dir/error.log" "$dir/stdout.log" >&2
      exit 1
    fi
    sleep 0.01
  done
  NGINX_WORKERS=$(($(pgrep -P "$NGINX_PID" | wc -l)))
}

# The machine's count of connections dropped because a listen queue was
# full (TcpExt ListenOverflows): the server did not accept them in time.
listen_overflows() {
  awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "ListenOverflows") c = i; h = 1 }
                    else print $c }' /proc/net/netstat 2>/dev/null || echo 0
}

# wrk_run KEY URL CONNECTIONS SCRIPT: the figures into R[KEY.*].
wrk_run() {
  local key=$1 url=$2 conns=$3 script=$4
  local threads=$WRK_THREADS before
  [ "$conns" -lt "$threads" ] && threads=$conns
  before=$(listen_overflows)
  wrk -t "$threads" -c "$conns" -d "$DURATION" --timeout 60s -s "$script" "$url" \
    >"$T/$key.wrk" 2>&1
  R[$key.overflows]=$(($(listen_overflows) - before))
  collect "$key" "$T/$key.wrk"
  if [ -z "${R[$key.rate]:-}" ]; then
    fail_note "wrk failed for $key:"
    sed 's/^/     /' "$T/$key.wrk" | head -10
  fi
}

read_line() {
  local key=$1 label=$2
  printf '  %-34s %9s req/s  p50 %8s ms  p99 %8s ms  (non-2xx %s, socket errors %s, listen overflows %s)\n' \
    "$label" "$(val "$key.rate")" "$(val "$key.p50_ms")" "$(val "$key.p99_ms")" \
    "$(val "$key.non2xx")" "$(val "$key.socket_errors")" "$(val "$key.overflows")"
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.0f%%", 100 * a / b }'
}

# le/ge VALUE TARGET: "yes" or "no" (or "-" with no figure).
meets() {
  awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
    if (v == "-" || v == "" || v == "nan") { print "-"; exit }
    ok = (op == "<=") ? (v + 0 <= t + 0) : (v + 0 >= t + 0)
    print ok ? "yes" : "NO" }'
}

echo "== Timon API benchmark =="
echo "machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(uname -r), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "timond: $TIMOND ($("$TIMOND" --version 2>/dev/null))"
echo "wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); nginx: $("$NGINX" -v 2>&1 | sed 's/.*\///')"
echo "settings: DURATION=$DURATION READ_CONNS=\"$READ_CONNS\" LIST_PODS=$LIST_PODS CREATE_CONNS=\"$CREATE_CONNS\" WATCHERS=$WATCHERS EVENTS=$EVENTS RATE=$RATE BURST=$BURST PODS=$PODS WRK_THREADS=$WRK_THREADS"
echo "pod: $(wc -c <"$POD_FILE") bytes of JSON posted ($POD_FILE)"
# Whatever else runs on the machine takes CPU from the figures.
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# ---- 1. start-up on an empty store ----
echo "[1/5] start-up, empty sqlite store (exec to the first 200 from /readyz, polled every 1 ms)"
mkdir -p "$T/startup-empty"
"$HELPER" --mode startup --log "$T/startup-empty.log" --rss -- \
  "$TIMOND" --data-dir "$T/startup-empty" >"$T/startup-first.out" 2>&1
sed -n 's/^start-up 1/  first start (new data folder)/p' "$T/startup-first.out"
collect startup_first "$T/startup-first.out"
"$HELPER" --mode startup --log "$T/startup-empty.log" --repeat "$STARTUP_RUNS" --rss -- \
  "$TIMOND" --data-dir "$T/startup-empty" >"$T/startup-empty.out" 2>&1 ||
  fail_note "start-up on the empty store failed: $(tail -1 "$T/startup-empty.out")"
sed -n 's/^start-up/  restart/p' "$T/startup-empty.out"
collect startup_empty "$T/startup-empty.out"
echo "  median of $STARTUP_RUNS restarts: $(val startup_empty.ready_ms_median) ms (min $(val startup_empty.ready_ms_min), max $(val startup_empty.ready_ms_max))"
echo

# ---- 2. reads, timond and nginx ----
echo "[2/5] reads: GET one pod, LIST $LIST_PODS pods (wrk, $DURATION each, $WRK_THREADS threads)"
start_timond reads
sleep 1
R[idle.rss_kb]=$(rss_kb "$TIMOND_PID")
echo "  timond PID $TIMOND_PID at $TIMOND_ADDR; idle VmRSS, empty store: $(mb "${R[idle.rss_kb]}") MB"
sed 's/"generateName":"bench-"/"name":"bench-get"/' "$POD_FILE" >"$T/pod-get.json"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary @"$T/pod-get.json" "http://$TIMOND_ADDR$NS_PATH")
[ "$code" = 201 ] || fail_note "creating bench-get answered $code"
if [ "$LIST_PODS" -gt 1 ]; then
  "$HELPER" --mode create --port "$TIMOND_PORT" --pod "$POD_FILE" --count $((LIST_PODS - 1)) \
    --connections 16 >"$T/seed.out" 2>&1 || fail_note "seeding failed: $(head -1 "$T/seed.out")"
fi
mkdir -p "$T/www"
chmod 755 "$T/www"
curl -s -o "$T/www/pod.json" "http://$TIMOND_ADDR$NS_PATH/bench-get"
curl -s -o "$T/www/pods.json" "http://$TIMOND_ADDR$NS_PATH"
chmod 644 "$T/www/"*.json
R[get.bytes]=$(wc -c <"$T/www/pod.json")
R[list.bytes]=$(wc -c <"$T/www/pods.json")
R[list.items]=$(grep -o '"kind":"Pod"' "$T/www/pods.json" | wc -l)
echo "  bodies: GET $(val get.bytes) bytes, LIST $(val list.bytes) bytes ($(val list.items) pods); nginx serves these same bytes as files"
for c in $READ_CONNS; do
  wrk_run "timond.get.$c" "http://$TIMOND_ADDR$NS_PATH/bench-get" "$c" "$REPORT_LUA"
  read_line "timond.get.$c" "timond GET one pod, $c conns"
  wrk_run "timond.list.$c" "http://$TIMOND_ADDR$NS_PATH" "$c" "$REPORT_LUA"
  read_line "timond.list.$c" "timond LIST $LIST_PODS pods, $c conns"
  check_timond "reads at $c connections" || break
done
R[reads.rss_kb]=$(rss_kb "$TIMOND_PID")
echo "  timond VmRSS after the reads: $(mb "${R[reads.rss_kb]}") MB"
stop_timond
for workers in auto 1; do
  start_nginx "$workers"
  R[nginx.$workers.workers]=$NGINX_WORKERS
  if [ "$workers" = auto ]; then
    label="nginx auto ($NGINX_WORKERS workers)"
  else
    label="nginx, 1 worker"
  fi
  for c in $READ_CONNS; do
    wrk_run "nginx.$workers.get.$c" "http://127.0.0.1:$NGINX_PORT/pod.json" "$c" "$REPORT_LUA"
    read_line "nginx.$workers.get.$c" "$label GET, $c conns"
    wrk_run "nginx.$workers.list.$c" "http://127.0.0.1:$NGINX_PORT/pods.json" "$c" "$REPORT_LUA"
    read_line "nginx.$workers.list.$c" "$label LIST, $c conns"
  done
  stop_pid "$NGINX_PID"
done
echo

# ---- 3. creates on the durable sqlite store ----
echo "  (listen overflows: connections the server's listen queue had no room for; each waits"
echo "   for a retransmission, 1 s or more, which shows in the p99 of its first request)"
echo
echo "[3/5] creates, durable sqlite store (new data folder; wrk POST with generateName, $DURATION each)"
start_timond creates
for c in $CREATE_CONNS; do
  wrk_run "create.$c" "http://$TIMOND_ADDR$NS_PATH" "$c" "$CREATE_LUA"
  printf '  %4s conns: %9s creates/s  p50 %8s ms  p99 %8s ms  201: %s, other: %s (%s), socket errors %s, listen overflows %s\n' \
    "$c" "$(val "create.$c.rate")" "$(val "create.$c.p50_ms")" "$(val "create.$c.p99_ms")" \
    "$(val "create.$c.n201")" "$(val "create.$c.other")" "$(val "create.$c.other_statuses")" \
    "$(val "create.$c.socket_errors")" "$(val "create.$c.overflows")"
  check_timond "creates at $c connections" || break
done
stop_timond
echo

# ---- 4. watch fan-out ----
echo "[4/5] watch fan-out: $WATCHERS watchers, $EVENTS creates at $RATE/s then $BURST back to back"
start_timond fanout
"$HELPER" --mode fanout --port "$TIMOND_PORT" --pod "$POD_FILE" --watchers "$WATCHERS" \
  --events "$EVENTS" --rate "$RATE" --burst "$BURST" --timond-pid "$TIMOND_PID" \
  >"$T/fanout.out" 2>&1 || fail_note "the fan-out failed: $(tail -1 "$T/fanout.out")"
grep -v '^@ ' "$T/fanout.out" | sed 's/^/  /'
collect fanout "$T/fanout.out"
check_timond "the fan-out"
stop_timond
echo

# ---- 5. memory and start-up with PODS pods ----
echo "[5/5] memory and start-up with $PODS pods (durable sqlite, new data folder)"
start_timond memory
sleep 1
R[mem.idle_kb]=$(rss_kb "$TIMOND_PID")
echo "  idle VmRSS, empty store: $(mb "${R[mem.idle_kb]}") MB"
"$HELPER" --mode create --port "$TIMOND_PORT" --pod "$POD_FILE" --count "$PODS" \
  --connections 256 >"$T/fill.out" 2>&1 || fail_note "the fill failed: $(tail -1 "$T/fill.out")"
grep -v '^@ ' "$T/fill.out" | sed 's/^/  fill: /'
collect fill "$T/fill.out"
if check_timond "the fill"; then
  R[mem.full_kb]=$(rss_kb "$TIMOND_PID")
  sleep 2
  R[mem.full_idle_kb]=$(rss_kb "$TIMOND_PID")
  R[mem.hwm_kb]=$(hwm_kb "$TIMOND_PID")
  remaining=$(curl -s "http://$TIMOND_ADDR$NS_PATH?limit=1" | sed -n 's/.*"remainingItemCount":\([0-9]*\).*/\1/p')
  [ -n "$remaining" ] && echo "  the API lists $((remaining + 1)) pods"
  echo "  VmRSS holding $(val fill.created) pods: $(mb "${R[mem.full_kb]}") MB right after, $(mb "${R[mem.full_idle_kb]}") MB 2 s later (peak VmHWM $(mb "${R[mem.hwm_kb]}") MB)"
fi
R[mem.db_kb]=$(du -sk "$T/memory" | cut -f1)
t0=$(date +%s%N)
stop_timond
t1=$(date +%s%N)
echo "  stopped by SIGTERM in $(((t1 - t0) / 1000000)) ms; data folder $(mb "${R[mem.db_kb]}") MB"
"$HELPER" --mode startup --log "$T/startup-full.log" --repeat "$STARTUP_BIG_RUNS" --rss \
  --timeout 300 -- "$TIMOND" --data-dir "$T/memory" >"$T/startup-full.out" 2>&1 ||
  fail_note "start-up with $PODS pods failed: $(tail -1 "$T/startup-full.out")"
sed -n 's/^start-up/  start-up/p' "$T/startup-full.out"
collect startup_full "$T/startup-full.out"
echo

# ---- summary ----
row() {
  printf '%-46s %17s  %-17s %-5s %13s %13s %8s\n' "$@"
}
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== summary (figures only; \"meets\" compares with the issue's targets) =="
row "figure" "timond" "target" "meets" "nginx auto" "nginx 1 wkr" "vs auto"
row "----------------------------------------------" "-----------------" "-----------------" "-----" "-------------" "-------------" "--------"
for c in $READ_CONNS; do
  t=$(val "timond.get.$c.rate")
  half=$(awk -v n="$(val "nginx.auto.get.$c.rate")" 'BEGIN { if (n == "-") print "-"; else print n / 2 }')
  row "GET one pod, $c conns (req/s)" "$(rate "timond.get.$c")" ">= 50% of nginx" \
    "$(meets "$t" ">=" "$half")" "$(rate "nginx.auto.get.$c")" "$(rate "nginx.1.get.$c")" \
    "$(ratio "$t" "$(val "nginx.auto.get.$c.rate")")"
  row "  p50/p99 (ms)" "$(lat "timond.get.$c")" "" "" "$(lat "nginx.auto.get.$c")" \
    "$(lat "nginx.1.get.$c")" ""
done
for c in $READ_CONNS; do
  row "LIST $LIST_PODS pods, $c conns (req/s)" "$(rate "timond.list.$c")" "" "" \
    "$(rate "nginx.auto.list.$c")" "$(rate "nginx.1.list.$c")" \
    "$(ratio "$(val "timond.list.$c.rate")" "$(val "nginx.auto.list.$c.rate")")"
  row "  p50/p99 (ms)" "$(lat "timond.list.$c")" "" "" "$(lat "nginx.auto.list.$c")" \
    "$(lat "nginx.1.list.$c")" ""
done
for c in $CREATE_CONNS; do
  if [ "$c" = 256 ]; then
    row "creates, sqlite, $c conns (201s/s)" "$(rate "create.$c")" ">= 5000" \
      "$(meets "$(val "create.$c.rate")" ">=" 5000)" "" "" ""
  else
    row "creates, sqlite, $c conns (201s/s)" "$(rate "create.$c")" "" "" "" "" ""
  fi
  row "  p50/p99 (ms); answers 201 / other" "$(lat "create.$c")" \
    "$(val "create.$c.n201") / $(val "create.$c.other")" "" "" "" ""
done
row "creates, sqlite, $PODS pods by 256 conns" "$(rate fill)" "" "" "" "" ""
row "  p50/p99 (ms); answers 201 / other" "$(lat fill)" "$(val fill.n201) / $(val fill.other)" "" "" "" ""
row "watch fan-out, $(val fanout.established) watchers: p99 (ms)" "$(num "$(val fanout.p99_ms)" 2)" \
  "<= 50" "$(meets "$(val fanout.p99_ms)" "<=" 50)" "" "" ""
row "  p50/max (ms)" "$(num "$(val fanout.p50_ms)" 2)/$(num "$(val fanout.max_ms)" 2)" "" "" "" "" ""
row "  paced p99 / burst p99 (ms)" \
  "$(num "$(val fanout.paced_p99_ms)" 2)/$(num "$(val fanout.burst_p99_ms)" 2)" "" "" "" "" ""
dup_ok=NO
[ "$(val fanout.missing)" = 0 ] && [ "$(val fanout.duplicates)" = 0 ] && dup_ok=yes
row "  delivered/missing/duplicates" \
  "$(val fanout.delivered)/$(val fanout.missing)/$(val fanout.duplicates)" "exactly once" "$dup_ok" \
  "" "" ""
idle=$(mb "${R[mem.idle_kb]:--}")
full=$(mb "${R[mem.full_idle_kb]:--}")
row "VmRSS idle, empty store (MB)" "$idle" "<= 20" "$(meets "$idle" "<=" 20)" "" "" ""
row "VmRSS holding $(val fill.created) pods (MB)" "$full" "<= 500" "$(meets "$full" "<=" 500)" "" "" ""
row "VmRSS with $(val fanout.established) watches, established (MB)" "$(mb "$(val fanout.rss_kb_watching)")" "" "" "" "" ""
row "  the same after $(val fanout.acked) events (MB)" "$(mb "$(val fanout.rss_kb_after)")" "" "" "" "" ""
row "start-up, empty store, median (ms)" "$(num "$(val startup_empty.ready_ms_median)" 1)" "<= 100" \
  "$(meets "$(val startup_empty.ready_ms_median)" "<=" 100)" "" "" ""
row "start-up, new data folder (ms)" "$(num "$(val startup_first.ready_ms_median)" 1)" "" "" "" "" ""
row "start-up, $PODS pods, median (ms)" "$(num "$(val startup_full.ready_ms_median)" 1)" "<= 3000" \
  "$(meets "$(val startup_full.ready_ms_median)" "<=" 3000)" "" "" ""
row "  VmRSS when ready, $PODS pods (MB)" "$(mb "$(val startup_full.rss_kb)")" "" "" "" "" ""
echo
if [ "${#NOTES[@]}" -gt 0 ]; then
  echo "notes:"
  printf '  - %s\n' "${NOTES[@]}"
fi
if [ "${#FAILURES[@]}" -gt 0 ]; then
  echo "problems seen during the run:"
  printf '  - %s\n' "${FAILURES[@]}"
  exit 1
fi
exit 0
