# Shared helpers for bench/run: logging, the work directory, process bookkeeping, ports and /proc readings.

BENCH_FAILURES=()            # one line per target that did not answer as it should
BENCH_NOTES=()               # caveats about figures of this run, printed under the table
declare -A BENCH_STARTTIME=() # pid -> start time (field 22 of /proc/PID/stat): guards against a reused pid

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Records a failure without stopping the run; any failure makes the exit status non-zero.
fail() { BENCH_FAILURES+=("$*"); log "FAIL: $*"; }

# Records a caveat that a reader of the table must see.
note() { BENCH_NOTES+=("$*"); log "note: $*"; }

bench_init() {
    BENCH_TMP=$(mktemp -d /dev/shm/gatehouse-bench.XXXXXX 2>/dev/null || mktemp -d)
    chmod 755 "$BENCH_TMP"   # nginx workers drop root and must read the bulk file and conf
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    CLK_TCK=$(getconf CLK_TCK)
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

bench_cleanup() {
    local i
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${BENCH_PIDS[i]}"; done
    [ "${BENCH_KEEP:-0}" = 1 ] && log "kept $BENCH_TMP" || rm -rf "$BENCH_TMP"
}

start_time_of() { # field 22 of /proc/PID/stat; the comm field may hold spaces, so cut after the last ')'
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    set -- $stat
    echo "${20}"
}

BENCH_PIDS=()
track_pid() { BENCH_PIDS+=("$1"); BENCH_STARTTIME[$1]=$(start_time_of "$1" || echo gone); }

# True while PID is the process we started and has not exited (a zombie counts as exited).
alive() {
    local pid=$1 stat
    [ "$(start_time_of "$pid" || echo gone)" = "${BENCH_STARTTIME[$pid]:-unknown}" ] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != Z ]
}

# SIGTERM, up to 5 s of grace, then SIGKILL; only for pids this script started.
stop_pid() {
    local pid=$1 i
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do alive "$pid" || return 0; sleep 0.1; done
    log "pid $pid ignored SIGTERM for 5 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

# Prints N distinct free TCP ports on 127.0.0.1 (the kernel picks them; all held open until all are chosen). With
# OFFSET, each port's port + OFFSET is free too (a cluster member also listens there).
free_ports() {
    python3 - "$1" "${2:-0}" <<'PY'
import socket, sys
count, offset = int(sys.argv[1]), int(sys.argv[2])
held, ports = [], []
while len(ports) < count:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); held.append(s)
    p = s.getsockname()[1]
    if offset:
        if p + offset > 65535:
            continue
        try:
            t = socket.socket(); t.bind(("127.0.0.1", p + offset)); held.append(t)
        except OSError:
            continue
    ports.append(p)
print(" ".join(map(str, ports)))
PY
}

# A process and its direct children (nginx's workers): the set whose CPU and memory a proxy costs.
proc_tree() {
    local pid=$1
    echo "$pid"
    cat /proc/"$pid"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d'
}

# utime + stime of a process tree, in clock ticks.
proc_ticks() {
    local pid total=0 stat
    for pid in $(proc_tree "$1"); do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        set -- $stat
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

# Resident memory of a process tree, in KiB.
proc_rss_kib() {
    local pid total=0 kib
    for pid in $(proc_tree "$1"); do
        kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}

# Unmeasured load on the HTTP listener at PORT (SCHEME https: a TLS listener): KEEPALIVE_S seconds of keep-alive
# requests, then CLOSE_S of new connections (wrk -c CONNS, output dropped). Warms a proxy up, and loads a fresh one
# before scenario 4.
http_load() {
    local url="${4:-http}://127.0.0.1:$1/" keepalive_s=$2 close_s=$3
    timeout $((keepalive_s + 30)) wrk -t1 -c"$CONNS" -d"${keepalive_s}s" "$url" >/dev/null 2>&1 || true
    timeout $((close_s + 30)) wrk -t1 -c"$CONNS" -d"${close_s}s" -H "Connection: close" "$url" >/dev/null 2>&1 || true
}

# PID's RSS once it has moved by less than 256 KiB in a second (at most 15 s). With --after-gc (Gatehouse), after
# a full collection first: what is alive then sits in the old generation, whose growth is what the
# connections cost. Without it the figure depended on whether a young collection happened to promote their
# objects before the reading (until then they sit in the young generation's pages, resident already), and on
# native memory the JIT freed or took meanwhile: 66 to 2454 bytes a connection for one build.
settled_rss_kib() {
    local pid=$1 after_gc=${2:-} last now i
    [ "$after_gc" != --after-gc ] || "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "$pid" GC.run >/dev/null 2>&1 || true
    last=$(proc_rss_kib "$pid")
    for ((i = 0; i < 15; i++)); do
        sleep 1
        now=$(proc_rss_kib "$pid")
        ((now - last < 256 && last - now < 256)) && break
        last=$now
    done
    echo "$now"
}

# Fills @KEY@ placeholders of template SRC into DST from KEY=VALUE arguments.
render() {
    local src=$1 dst=$2 kv script=()
    shift 2
    for kv in "$@"; do
        local value=${kv#*=}
        value=${value//\\/\\\\} value=${value//&/\\&} value=${value//|/\\|}
        script+=(-e "s|@${kv%%=*}@|${value}|g")
    done
    sed "${script[@]}" "$src" >"$dst"
    if grep -q '@[A-Z_]*@' "$dst"; then die "unfilled placeholder in $dst: $(grep -o '@[A-Z_]*@' "$dst" | head -n 1)"; fi
}
