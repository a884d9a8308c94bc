# The scenarios. Each takes a target and a round, measures, and records figures (see record); a target that does
# not answer as it should is reported with fail, never silently dropped. The TLS ones (7, 8, 9) skip direct.

# Appends one figure: scenario, figure, target, round, value (an empty value, e.g. direct's CPU, is none).
record() { [ -z "$5" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$BENCH_TMP/results.tsv"; }

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# CPU ticks the target's process tree has used so far; empty for direct (no proxy).
target_ticks() { [ -n "${T_PID[$1]}" ] && proc_ticks "${T_PID[$1]}" || true; }

# Microseconds of proxy CPU per unit of work between two target_ticks readings; empty for direct.
cpu_us_per() {
    local before=$1 after=$2 units=$3
    [ -n "$before" ] && [ "$units" -gt 0 ] || return 0
    calc "($after - $before) * 1000000 / $CLK_TCK / $units"
}

# Reads one figure from wrk's output: requests, rps, p50, p99 (in ms), non2xx, errors.
wrk_figure() {
    awk -v want="$1" '
        function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /m$/) return v * 60000
            return v * 1000
        }
        want == "requests" && /requests in/ { print $1; found = 1 }
        want == "rps" && /^Requests\/sec:/ { print $2; found = 1 }
        want == "p50" && $1 == "50%" { print ms($2); found = 1 }
        want == "p99" && $1 == "99%" { print ms($2); found = 1 }
        want == "non2xx" && /Non-2xx/ { print $NF; found = 1 }
        want == "errors" && /Socket errors/ { gsub(/,/, ""); print $4 + $6 + $8 + $10; found = 1 }
        END { if (!found) print (want == "non2xx" || want == "errors") ? 0 : "" }' "$2"
}

# TARGET's URL: its HTTP listener, or with "tls" its TLS listener.
target_url() {
    if [ "${2:-}" = tls ]; then echo "https://127.0.0.1:${T_TLS[$1]}/"; else echo "http://127.0.0.1:${T_HTTP[$1]}/"; fi
}

# Runs wrk against TARGET's HTTP port (or WRK_URL) with the given extra options (those after a "--" go to the
# script, after the URL); output in $BENCH_TMP/wrk.out.
# Returns 1 (after fail) when no request succeeded or any response was not 2xx.
run_wrk() {
    local target=$1 label=$2 out=$BENCH_TMP/wrk.out options=() script_args=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do options+=("$1"); shift; done
    [ $# -gt 0 ] && shift && script_args=("$@")
    timeout $((DURATION + 30)) wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency "${options[@]}" \
        "${WRK_URL:-$(target_url "$target")}" "${script_args[@]}" >"$out" 2>&1 || true
    local requests non2xx errors
    requests=$(wrk_figure requests "$out") non2xx=$(wrk_figure non2xx "$out") errors=$(wrk_figure errors "$out")
    if [ -z "$requests" ] || [ "$requests" -eq 0 ] || [ "$non2xx" -gt 0 ]; then
        fail "$target $label: ${requests:-no} requests, $non2xx not 2xx, $errors socket errors: $(tail -n 3 "$out" | tr '\n' ' ')"
        return 1
    fi
    [ "$errors" -gt 0 ] && log "$target $label: $errors socket errors (wrk)"
    return 0
}

# Keep-alive GETs (scenario 1; 8 with WRK_URL on the TLS listener), recorded under SCENARIO.
measure_keepalive() {
    local s=$1 t=$2 r=$3 before after out=$BENCH_TMP/wrk.out
    before=$(target_ticks "$t")
    run_wrk "$t" "$s" || return 0
    after=$(target_ticks "$t")
    record "$s" rps "$t" "$r" "$(wrk_figure rps "$out")"
    record "$s" p50 "$t" "$r" "$(wrk_figure p50 "$out")"
    record "$s" p99 "$t" "$r" "$(wrk_figure p99 "$out")"
    record "$s" cpu_us "$t" "$r" "$(cpu_us_per "$before" "$after" "$(wrk_figure requests "$out")")"
    # Far below 100 % while req/s is far below direct's: something else had the proxy's CPU.
    [ -n "$before" ] && record "$s" busy "$t" "$r" "$(calc "($after - $before) * 100 / $CLK_TCK / $DURATION")"
    return 0
}

# A new connection per request (scenario 2; 7 with WRK_URL on the TLS listener), recorded under SCENARIO.
measure_close() {
    local s=$1 t=$2 r=$3 before after out=$BENCH_TMP/wrk.out
    before=$(target_ticks "$t")
    run_wrk "$t" "$s" -H "Connection: close" || return 0
    after=$(target_ticks "$t")
    record "$s" cps "$t" "$r" "$(wrk_figure rps "$out")"
    record "$s" cpu_us "$t" "$r" "$(cpu_us_per "$before" "$after" "$(wrk_figure requests "$out")")"
}

scenario_keepalive() { measure_keepalive keepalive "$@"; }
scenario_close() { measure_close close "$@"; }

# 8. Keep-alive GETs over TLS. wrk negotiates TLS 1.2, and AES-256-GCM with every proxy here (see gatehouse.yaml).
scenario_tls_keepalive() {
    [ -n "${T_TLS[$1]}" ] || return 0
    WRK_URL=$(target_url "$1" tls) measure_keepalive tls_keepalive "$@"
}

# 7. A new TLS connection per request, as wrk makes them: it offers each new connection the session of its last
# one, so these are abbreviated handshakes (session resumption by ticket), as returning clients make.
scenario_tls_resume() {
    [ -n "${T_TLS[$1]}" ] || return 0
    WRK_URL=$(target_url "$1" tls) measure_close tls_resume "$@"
}

# 7. Full handshakes, none resumed: TLS_CLIENTS openssl s_time -new clients (TLS 1.3, X25519, each client one
# handshake after another; BoringSSL picks TLS_AES_128_GCM_SHA256, OpenSSL TLS_AES_256_GCM_SHA384) for DURATION s. The clients share CPU 0, so handshakes/s is bounded by them; the proxy's
# CPU per handshake is the figure to compare.
scenario_tls_full() {
    local t=$1 r=$2 dir=$BENCH_TMP/s_time before after i n total=0 pids=()
    [ -n "${T_TLS[$t]}" ] || return 0
    rm -rf "$dir" && mkdir -p "$dir"
    before=$(target_ticks "$t")
    for ((i = 0; i < TLS_CLIENTS; i++)); do
        timeout $((DURATION + 30)) openssl s_time -connect "127.0.0.1:${T_TLS[$t]}" -new -time "$DURATION" \
            </dev/null >"$dir/$i.out" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || true; done
    after=$(target_ticks "$t")
    for ((i = 0; i < TLS_CLIENTS; i++)); do
        n=$(sed -n 's/^\([0-9][0-9]*\) connections in [0-9]* real seconds.*/\1/p' "$dir/$i.out" | tail -n 1)
        total=$((total + ${n:-0}))
    done
    if [ "$total" -eq 0 ]; then
        fail "$t tls_full: no handshake completed: $(tail -n 2 "$dir/0.out" | tr '\n' ' ')"
        return 0
    fi
    record tls_full hps "$t" "$r" "$(calc "$total / $DURATION")"
    record tls_full cpu_us "$t" "$r" "$(cpu_us_per "$before" "$after" "$total")"
}

# 9. HTTP/2: h2load (one thread) on the TLS listener, ALPN h2, 8 connections with 8 concurrent streams each (64 in
# all), small GETs for DURATION s; every proxy forwards them over HTTP/1.1 to the backend.
scenario_h2() {
    local t=$1 r=$2 out=$BENCH_TMP/h2load.out before after ok failed
    [ -n "${T_TLS[$t]}" ] || return 0
    before=$(target_ticks "$t")
    timeout $((DURATION + 30)) h2load -t 1 -c 8 -m 8 -D "$DURATION" "$(target_url "$t" tls)" >"$out" 2>&1 || true
    after=$(target_ticks "$t")
    ok=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' "$out")
    failed=$(sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1 \2/p' "$out")
    if [ -z "$ok" ] || [ "$ok" -eq 0 ] || [ "$failed" != "0 0" ] || ! grep -q '^Application protocol: h2' "$out"; then
        fail "$t h2: ${ok:-no} 2xx, failed/errored ${failed:-?}: $(grep -E '^(requests|status codes|Application)' "$out" | tr '\n' ' ')"
        return 0
    fi
    record h2 rps "$t" "$r" "$(calc "$ok / $DURATION")"
    record h2 cpu_us "$t" "$r" "$(cpu_us_per "$before" "$after" "$ok")"
}

# One download of the bulk file through the target's TCP (L4) listener.
# Downloads the bulk file through TARGET's TCP listener, body dropped; further arguments go to curl.
bulk_get() {
    local t=$1
    shift
    timeout $((BULK_TIMEOUT + 10)) curl -s -o /dev/null --max-time "$BULK_TIMEOUT" "$@" "http://127.0.0.1:${T_TCP[$t]}/bulk.bin"
}

scenario_bulk() {
    local t=$1 r=$2 before after code size secs
    [ -n "${T_TCP[$t]}" ] || return 0
    before=$(target_ticks "$t")
    read -r code size secs < <(bulk_get "$t" -w '%{http_code} %{size_download} %{time_total}\n' || true)
    after=$(target_ticks "$t")
    if [ "$code" != 200 ] || [ "$size" != "$BULK_BYTES" ]; then
        fail "$t bulk: HTTP ${code:-none}, ${size:-0} of $BULK_BYTES bytes"
        return 0
    fi
    record bulk gbps "$t" "$r" "$(calc "$size / $secs / 1e9")"
    [ -n "$before" ] && record bulk cpu_ms_gb "$t" "$r" "$(calc "($after - $before) * 1000 / $CLK_TCK / ($size / 1e9)")"
    return 0
}

# IDLE_COUNT keep-alive connections, one request each, then held: RSS growth of the proxy per connection.
# Each round measures a fresh process (after IDLE_WARMUP s of each kind of load): a process that held them once keeps
# that memory in its allocators, so a second round would find it already there. The restart leaves
# Gatehouse without its JIT warm-up, so this runs after every scenario that needs one.
scenario_idle() {
    local t=$1 r=$2 dir=$BENCH_TMP/idle before after pid i ok open after_gc=""
    [ -n "${T_PID[$t]}" ] || return 0   # the backend's own memory is not a proxy's cost
    rm -rf "$dir" && mkdir -p "$dir"
    restart_proxy "$t" || { fail "$t idle: no 200 within 60 s of a restart"; return 0; }
    http_load "${T_HTTP[$t]}" "$IDLE_WARMUP" "$IDLE_WARMUP"
    [[ $t != gatehouse* ]] || after_gc=--after-gc
    before=$(settled_rss_kib "${T_PID[$t]}" $after_gc)
    timeout $((IDLE_BOUND + 30)) python3 "$BENCH_LIB/idle_clients.py" --port "${T_HTTP[$t]}" --count "$IDLE_COUNT" \
        --ready "$dir/ready" --release "$dir/release" --bound "$IDLE_BOUND" >"$dir/out" 2>&1 &
    pid=$!
    track_pid "$pid"
    for ((i = 0; i < IDLE_BOUND * 10; i++)); do
        [ -s "$dir/ready" ] && break
        sleep 0.1
    done
    after=$(settled_rss_kib "${T_PID[$t]}" $after_gc)
    touch "$dir/release"
    wait "$pid" || true
    ok=$(sed -n 's/.*ok=\([0-9]*\).*/\1/p' "$dir/out")
    open=$(sed -n 's/.*open=\([0-9]*\).*/\1/p' "$dir/out")
    if [ "${ok:-0}" -lt "$IDLE_COUNT" ]; then
        fail "$t idle: ${ok:-0} of $IDLE_COUNT connections got their 200: $(tail -n 2 "$dir/out" | tr '\n' ' ')"
        return 0
    fi
    [ "${open:-0}" -lt "$ok" ] && note "$t closed $((ok - open)) of $ok idle connections while they were held (round $r)"
    record idle bytes "$t" "$r" "$(calc "($after - $before) * 1024 / $ok")"
    record idle rss_mib "$t" "$r" "$(calc "$after / 1024")"
}

# Requests paced to RATE per second (lib/pace.lua); latency added over direct in the same round.
scenario_rate() {
    local t=$1 r=$2 out=$BENCH_TMP/wrk.out p50 p99
    run_wrk "$t" rate -s "$BENCH_LIB/pace.lua" -- "$RATE" || return 0
    local rps
    p50=$(wrk_figure p50 "$out") p99=$(wrk_figure p99 "$out") rps=$(wrk_figure rps "$out")
    if awk "BEGIN { exit !($rps < 0.95 * $RATE) }"; then
        note "$t fell behind the paced rate in round $r ($rps of $RATE req/s): its latencies there are not at that rate"
    fi
    record rate rps "$t" "$r" "$rps"
    record rate p50 "$t" "$r" "$p50"
    record rate p99 "$t" "$r" "$p99"
    if [ "$t" = direct ]; then
        DIRECT_RATE_P50=$p50 DIRECT_RATE_P99=$p99
    elif [ -n "${DIRECT_RATE_P50:-}" ]; then
        record rate added_p50 "$t" "$r" "$(calc "$p50 - $DIRECT_RATE_P50")"
        record rate added_p99 "$t" "$r" "$(calc "$p99 - $DIRECT_RATE_P99")"
    fi
}

# Restarts the proxy and times process start to its first proxied 200 (curl every 10 ms).
# Like idle, it leaves Gatehouse without its JIT warm-up.
scenario_start() {
    local t=$1 r=$2
    [ -n "${T_PID[$t]}" ] || return 0
    if restart_proxy "$t"; then
        record start ms "$t" "$r" "$RESTART_MS"
    else
        fail "$t start: no 200 within 60 s of a restart"
    fi
}

# Load before measuring: JIT compilation for Gatehouse, upstream connections for all. Gatehouse gets WARMUP
# seconds of keep-alive requests and CLOSE_WARMUP of new connections, so the code that accepts and closes
# connections is compiled before scenario 2 measures it too, and a bulk transfer through the TCP listener
# (without it, the first round of scenario 3 ran the relay in the interpreter and C2 compiling it: 0.45 s
# of CPU against ~0.1 in later rounds), and gets them in WARM_CYCLES alternating cycles:
# its JIT compiles for what it has seen, and the workloads take different branches of the same methods.
# After all of one and then all of the other, the first measurement of the first found code compiled without
# its branches, and C2 recompiled it on the proxy's own CPU in the middle of that measurement (150-480 ms of
# compiler CPU, p99 4-7 ms instead of ~2 in the first rounds). The other proxies have no JIT: one short cycle.
warm_up() {
    local t secs close_secs cycles cycle
    for t in "${TARGETS[@]}"; do
        secs=1 close_secs=1 cycles=1
        [[ $t == gatehouse* ]] && secs=$(((WARMUP + WARM_CYCLES - 1) / WARM_CYCLES)) \
            close_secs=$(((CLOSE_WARMUP + WARM_CYCLES - 1) / WARM_CYCLES)) cycles=$WARM_CYCLES
        log "warming up $t: $cycles x (${secs}s of keep-alive requests + ${close_secs}s of new connections + a bulk transfer, on each listener measured)"
        for ((cycle = 1; cycle <= cycles; cycle++)); do
            http_load "${T_HTTP[$t]}" "$secs" "$close_secs"
            # and the TCP listener's relay, which scenario 3 measures: one bulk transfer
            [ -z "${T_TCP[$t]}" ] || [[ " $SCENARIOS " != *" bulk "* ]] || bulk_get "$t" || true
            # and the TLS listener, which scenarios 7 and 8 measure
            [ -z "${T_TLS[$t]}" ] || [[ " $SCENARIOS " != *" tls_"* ]] || http_load "${T_TLS[$t]}" "$secs" "$close_secs" https
            # and HTTP/2 on it, which scenario 9 measures
            [ -z "${T_TLS[$t]}" ] || [[ " $SCENARIOS " != *" h2 "* ]] \
                || timeout $((secs + 30)) h2load -t 1 -c 8 -m 8 -D "$secs" "$(target_url "$t" tls)" >/dev/null 2>&1 || true
        done
    done
}
