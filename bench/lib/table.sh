# The one table: the median over rounds of every figure per target, and Gatehouse/HAProxy per figure,
# with the issue's bar where it sets one. Also writes bench/RESULTS.md.
#
# Gatehouse/HAProxy is paired: the median over rounds of each round's own ratio (Gatehouse's figure over
# HAProxy's in that round, the two measured back to back), not the ratio of the two medians. The machine's
# speed drifts over minutes (HAProxy's CPU per request moves by a third between runs), so a round's two
# figures share its conditions, while the medians of each may come from different rounds.

# scenario|figure|label|decimals|bar   (bar: ">=R" or "<=R" on the ratio, or "+D" on Gatehouse minus HAProxy)
TABLE_ROWS='keepalive|rps|1. keep-alive GET: req/s|0|>=1.0
keepalive|p50|1. keep-alive GET: p50 ms|3|
keepalive|p99|1. keep-alive GET: p99 ms|3|<=1.2
keepalive|cpu_us|1. keep-alive GET: proxy CPU µs/request|2|<=1.0
keepalive|busy|1. keep-alive GET: proxy CPU busy %|0|
close|cps|2. new connection per request: conn/s|0|>=0.9
close|cpu_us|2. new connection per request: proxy CPU µs/conn|2|
bulk|gbps|3. TCP bulk transfer: GB/s|2|>=0.9
bulk|cpu_ms_gb|3. TCP bulk transfer: proxy CPU ms/GB|1|
idle|bytes|4. idle keep-alive connections: bytes/conn|0|<=2.0
idle|rss_mib|4. idle keep-alive connections: proxy RSS MiB while held|1|
rate|rps|5. fixed rate: achieved req/s|0|
rate|p50|5. fixed rate: p50 ms|3|
rate|p99|5. fixed rate: p99 ms|3|
rate|added_p50|5. fixed rate: p50 added over direct, ms|3|
rate|added_p99|5. fixed rate: p99 added over direct, ms|3|+0.5
start|ms|6. start to first proxied 200: ms|0|
tls_full|hps|7. full TLS handshake per connection (s_time -new, TLS 1.3): handshakes/s (bounded by the clients)|0|
tls_full|cpu_us|7. full TLS handshake per connection: proxy CPU µs/handshake|1|<=1.0
tls_resume|cps|7. new TLS connection per request, session resumed (wrk, TLS 1.2): conn/s|0|>=1.0
tls_resume|cpu_us|7. new TLS connection per request, session resumed: proxy CPU µs/conn|1|<=1.0
tls_keepalive|rps|8. TLS keep-alive GET (wrk, TLS 1.2): req/s|0|>=1.0
tls_keepalive|p99|8. TLS keep-alive GET: p99 ms|3|<=1.2
tls_keepalive|cpu_us|8. TLS keep-alive GET: proxy CPU µs/request|2|<=1.0
h2|rps|9. HTTP/2 GET (h2load, 8 connections × 8 streams, TLS): req/s|0|>=1.0
h2|cpu_us|9. HTTP/2 GET: proxy CPU µs/request|2|<=1.0'

# Prints the Markdown table from results.tsv (medians over rounds; the ratio paired by round).
print_table() {
    awk -F'\t' -v rows="$TABLE_ROWS" '
        FNR == NR { at[$1, $2, $3, $4] = $5; rounds[$4]; if ($4 + 0 > last) last = $4 + 0; next }
        function median_of(a, m,    i, j, t) {
            if (!m) return ""
            for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
        }
        function median(key,    r, m, a) {
            m = 0
            for (r in rounds) if ((key, r) in at) a[++m] = at[key, r]
            return median_of(a, m)
        }
        # Over the rounds that measured both: the median of the Gatehouse figure over the HAProxy one ("ratio")
        # or of the one minus the other ("diff"). Empty when no round has both, or a ratio would divide by zero.
        function paired(figure, how,    g, h, r, m, a) {
            g = figure SUBSEP "gatehouse"; h = figure SUBSEP "haproxy"; m = 0
            for (r = 1; r <= last; r++) {
                if (!((g, r) in at) || !((h, r) in at)) continue
                if (how == "ratio" && at[h, r] + 0 <= 0) return ""
                a[++m] = how == "ratio" ? at[g, r] / at[h, r] : at[g, r] - at[h, r]
            }
            return median_of(a, m)
        }
        function fmt(x, d) { return x == "" ? "-" : sprintf("%." d "f", x) }
        # ratio and diff: the paired figures of the row (see paired)
        function verdict(bar, ratio, diff,    lim) {
            if (bar ~ /^\+/) {
                if (diff == "") return ""
                lim = substr(bar, 2) + 0
                return (diff <= lim ? "met" : "NOT met") " (GH ≤ HAProxy " bar " ms)"
            }
            if (bar == "" || ratio == "") return ""
            lim = substr(bar, 3) + 0
            if (bar ~ /^>=/) return ((ratio >= lim) ? "met" : "NOT met") " (ratio ≥ " lim ")"
            return ((ratio <= lim) ? "met" : "NOT met") " (ratio ≤ " lim ")"
        }
        END {
            print "| figure | direct | HAProxy | nginx | Gatehouse | Gatehouse/HAProxy | bar |"
            print "|---|---:|---:|---:|---:|---:|---|"
            count = split(rows, row, "\n")
            for (i = 1; i <= count; i++) {
                split(row[i], f, "|")
                d = median(f[1] SUBSEP f[2] SUBSEP "direct")
                h = median(f[1] SUBSEP f[2] SUBSEP "haproxy")
                x = median(f[1] SUBSEP f[2] SUBSEP "nginx")
                g = median(f[1] SUBSEP f[2] SUBSEP "gatehouse")
                ratio = paired(f[1] SUBSEP f[2], "ratio")
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", f[3], fmt(d, f[4]), fmt(h, f[4]), fmt(x, f[4]),
                    fmt(g, f[4]), fmt(ratio, 2), verdict(f[5], ratio, paired(f[1] SUBSEP f[2], "diff"))
            }
        }' "$BENCH_TMP/results.tsv" /dev/null
}

# The figures that have a bar, round by round: HAProxy's and Gatehouse's, what each paired ratio is made of.
print_rounds() {
    awk -F'\t' -v rows="$TABLE_ROWS" -v rounds="$ROUNDS" '
        FNR == NR { at[$1 SUBSEP $2 SUBSEP $3 SUBSEP $4] = $5; next }
        END {
            header = "| figure: HAProxy → Gatehouse |"; rule = "|---|"
            for (r = 1; r <= rounds; r++) { header = header " round " r " |"; rule = rule "---:|" }
            print header; print rule
            count = split(rows, row, "\n")
            for (i = 1; i <= count; i++) {
                split(row[i], f, "|")
                if (f[5] == "") continue
                line = "| " f[3] " |"
                for (r = 1; r <= rounds; r++) {
                    h = f[1] SUBSEP f[2] SUBSEP "haproxy" SUBSEP r; g = f[1] SUBSEP f[2] SUBSEP "gatehouse" SUBSEP r
                    line = line " " ((h in at) && (g in at) ? sprintf("%." f[4] "f → %." f[4] "f", at[h], at[g]) : "-") " |"
                }
                print line
            }
        }' "$BENCH_TMP/results.tsv" /dev/null
}

# With gatehouse-log measured too: what its access log costs, paired by round against plain Gatehouse.
print_access_log_cost() {
    [ -n "${T_DIR[gatehouse-log]:-}" ] || return 0
    echo
    awk -F'\t' -v lines="$(wc -l <"${T_DIR[gatehouse-log]}/access.log" 2>/dev/null || echo 0)" '
        $1 == "keepalive" && ($2 == "rps" || $2 == "cpu_us") && ($3 == "gatehouse" || $3 == "gatehouse-log") { at[$2, $3, $4] = $5; if ($4 > last) last = $4 }
        END {
            print "| access log (scenario 1, keep-alive GET), round | Gatehouse req/s | with access log req/s | ratio | Gatehouse CPU µs/req | with access log CPU µs/req |"
            print "|---|---:|---:|---:|---:|---:|"
            for (r = 1; r <= last; r++) {
                g = at["rps", "gatehouse", r]; l = at["rps", "gatehouse-log", r]
                printf "| %s | %.0f | %.0f | %s | %.2f | %.2f |\n", r, g, l, (g > 0 ? sprintf("%.3f", l / g) : "-"),
                    at["cpu_us", "gatehouse", r], at["cpu_us", "gatehouse-log", r]
            }
            print ""
            print "access log lines written: " lines
        }' "$BENCH_TMP/results.tsv"
}

machine_facts() {
    local pinning="none (fewer than 2 CPUs)"
    [ -n "$PROXY_CPU" ] && pinning="proxy on CPU $PROXY_CPU; wrk, curl, python and the nginx backend on CPU 0"
    echo "- machine: $(nproc --all) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r)"
    echo "- load average when the run began: $BENCH_LOADAVG"
    echo "- pinning: $pinning"
}

run_parameters() {
    echo "- run: $ROUNDS round(s), interleaved (direct, then each proxy, HAProxy and Gatehouse back to back and in turn first);" \
        "medians shown, Gatehouse/HAProxy the median of the rounds' own ratios;" \
        "${DURATION}s per wrk measurement, $CONNS connections, Gatehouse warm-up ${WARMUP}s keep-alive + ${CLOSE_WARMUP}s new connections + $WARM_CYCLES bulk transfers in $WARM_CYCLES alternating cycles;" \
        "bulk $((BULK_BYTES / 1048576)) MiB; $IDLE_COUNT idle connections; paced rate $RATE req/s"
    echo "- Gatehouse JVM: $GATEHOUSE_BENCH_JAVA_OPTS${GATEHOUSE_AOT:+ $GATEHOUSE_AOT}"
    # Gatehouse names the socket layer it chose (or was given in GATEHOUSE_TRANSPORT) as it starts.
    [ -n "${T_DIR[gatehouse]:-}" ] || return 0
    local transport
    transport=$(sed -n 's/.* running config version .* on \([a-z_]*\)$/\1/p' "${T_DIR[gatehouse]}/out.log" | tail -n 1)
    echo "- Gatehouse transport: ${transport:-unknown}${GATEHOUSE_TRANSPORT:+ (GATEHOUSE_TRANSPORT=$GATEHOUSE_TRANSPORT)}"
}

# Notes and failures of this run, as Markdown lists.
print_outcome() {
    if [ ${#BENCH_NOTES[@]} -gt 0 ]; then
        echo
        echo "Notes on this run:"
        printf -- '- %s\n' "${BENCH_NOTES[@]}"
    fi
    if [ ${#BENCH_FAILURES[@]} -gt 0 ]; then
        echo
        echo "Failures in this run:"
        printf -- '- %s\n' "${BENCH_FAILURES[@]}"
    fi
    return 0
}

method_notes() {
    cat <<'NOTES'
## How each figure is taken

- Proxy CPU is utime+stime of the proxy's processes (nginx: master and worker) from /proc/PID/stat,
  read before and after each measurement and divided by the requests, connections or GB served, so it
  holds even when wrk, not the proxy, is the bottleneck. "Busy %" is that CPU time over the wall time:
  well under 100 % while req/s is far below direct's means other work had the proxy's CPU, and then
  req/s and latencies say more about the scheduler than the proxy; CPU per request still holds.
- 1 and 2: `wrk -t1 -c64 --latency`; 2 adds `-H "Connection: close"`, so every request is a new client
  connection (what each proxy does on its backend side is its own business: reuse is allowed).
- 3: `curl` downloads a sparse file (zeros from tmpfs, sent by the backend with sendfile) through each
  proxy's TCP listener: HAProxy `mode tcp`, nginx `stream {}`, Gatehouse `protocol: tcp`. GB = 10^9 bytes.
- 4: each round restarts the proxy and loads it for 2 s with keep-alive requests and 2 s with new
  connections (a process keeps what its allocators once held, so only a fresh one shows the growth);
  then a python asyncio client opens the connections (256 at a time), sends one GET on each, reads the
  200, and holds them; VmRSS of the proxy's processes is read before and after the last 200, each time
  once it has moved less than 256 KiB in a second, and for Gatehouse after a full collection
  (`jcmd GC.run`), so that its connections' objects are counted where they live, in the old generation.
  Bytes/conn = RSS growth / connections; the RSS row is the whole footprint while they are held.
- 5: `wrk -t1 -c64` with `lib/pace.lua`: every send takes the next slot of one fixed schedule
  (rate requests/s), so the rate does not depend on response times; wrk's timers are in ms, so a send
  may leave up to ~1 ms off its slot, but latency is timed from the actual send. Added latency is the
  proxy's percentile minus direct's in the same round.
- 6: the proxy is restarted; from just before exec until curl (every 10 ms) gets a 200 through it.
  For Gatehouse this includes JVM start-up.
- Gatehouse has no worker-thread setting in its config or CLI: it runs one Netty event loop per
  available processor, which also accepts; `-XX:ActiveProcessorCount=1` and the pinning to one
  CPU give it one, as HAProxy has `nbthread 1` and nginx 1 worker.
- Gatehouse runs with bin/gatehouse's JVM options (bin/jvm.sh), chosen in trials on this machine
  (bench/TRIALS.md): Serial GC, which cost the least CPU per request of ZGC, G1, Parallel and Serial; a
  16 MiB young generation, so the heap grows only with what connections keep; compact object headers;
  freed native memory handed back to the OS every second. Like bin/gatehouse, the run trains an AOT
  cache for the jar before its first start (`gatehouse aot-train` under `-XX:AOTCacheOutput`), so
  start-up finds its classes loaded and linked.
- The machine is shared (2 cores; other builds and tests may run beside the benchmark), so absolute
  figures are noisy; compare proxies only within one run, and prefer the ratios.
- Gatehouse/HAProxy is the median over rounds of each round's own ratio (for the +0.5 ms bar: of each
  round's difference). Every round measures HAProxy and Gatehouse back to back, HAProxy first in odd
  rounds and Gatehouse first in even ones, so both see the same state of the machine; the medians of the
  absolute columns may come from different rounds, and their ratio can differ from the paired one.
NOTES
}

# Writes bench/RESULTS.md from this run; refuses when Gatehouse was not measured.
write_results() {
    local file=$BENCH_HOME/RESULTS.md
    if ! grep -q $'\tgatehouse\t' "$BENCH_TMP/results.tsv" 2>/dev/null; then
        log "not writing $file: Gatehouse was not in this run"
        return 0
    fi
    {
        echo "# Benchmark results"
        echo
        echo "Written by \`bench/run --write-results\` on $(date -u '+%F %H:%M UTC'). Reproduce with \`bench/run\`."
        echo
        machine_facts
        run_parameters
        tool_versions
        echo
        print_table
        echo
        echo "Round by round:"
        echo
        print_rounds
        print_outcome
        echo
        method_notes
    } >"$file"
    log "wrote $file"
}
