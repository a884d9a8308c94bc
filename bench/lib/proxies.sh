# The backend and the proxies under test: configs rendered from bench/conf, processes started pinned,
# recorded by pid, and stopped by pid. A target is "direct" (the backend itself) or a proxy.

declare -A T_HTTP=() T_TCP=() T_TLS=() T_PID=() T_DIR=()
TARGETS=(direct)   # in the order every round visits them; proxies are appended once they answer

# The prefix that puts a command on the proxy's CPU (everything else inherits the driver's CPU 0).
# A plain command, not a function: started with &, the proxy itself then has the pid in $!.
proxy_cpu_prefix() { PIN=(); [ -z "$PROXY_CPU" ] || PIN=(taskset -c "$PROXY_CPU"); }

start_backend() {
    local dir=$BENCH_TMP/backend port
    mkdir -p "$dir" "$BENCH_TMP/data"
    truncate -s "$BULK_BYTES" "$BENCH_TMP/data/bulk.bin"   # sparse on tmpfs: streams zeros, costs no memory
    port=$(free_ports 1)
    render "$BENCH_CONF/backend-nginx.conf" "$dir/nginx.conf" DIR="$dir" DATA="$BENCH_TMP/data" PORT="$port" \
        NOFILE="$NOFILE" WORKER_CONNECTIONS="$NOFILE"
    nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 &
    track_pid $!
    BACKEND_PORT=$port
    T_HTTP[direct]=$port T_TCP[direct]=$port T_TLS[direct]="" T_PID[direct]=""
    wait_ready direct "$(date +%s%N)" 10 $! >/dev/null ||
        die "the backend nginx did not answer: $(tail -n 3 "$dir/error.log" "$dir/out.log" 2>/dev/null)"
}

# The run's TLS certificate, the same for every proxy, self-signed for bench.test: ECDSA P-256, or RSA-2048 with
# BENCH_TLS_KEY=rsa. HAProxy reads the certificate and key from one file.
make_certificate() {
    local dir=$BENCH_TMP/tls key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    [ "${BENCH_TLS_KEY:-ecdsa}" != rsa ] || key=(-newkey rsa:2048)
    mkdir -p "$dir"
    openssl req -x509 "${key[@]}" -nodes -keyout "$dir/bench.key" -out "$dir/bench.crt" \
        -days 2 -subj /CN=bench.test -addext subjectAltName=DNS:bench.test 2>/dev/null || die "openssl could not make a certificate"
    cat "$dir/bench.crt" "$dir/bench.key" >"$dir/bench.pem"
    chmod 644 "$dir"/*   # nginx reads them as root at start; nothing here is a secret
    TLS_CERT=$dir/bench.crt TLS_KEY=$dir/bench.key TLS_PEM=$dir/bench.pem
}

# Renders NAME's config with fresh ports. Returns 1, saying why, when NAME cannot run here.
prepare_proxy() {
    local name=$1 dir=$BENCH_TMP/$1 http tcp tls
    mkdir -p "$dir"
    read -r http tcp tls < <(free_ports 3)
    T_DIR[$name]=$dir T_HTTP[$name]=$http T_TCP[$name]=$tcp T_TLS[$name]=$tls
    local common=(DIR="$dir" HTTP_PORT="$http" TCP_PORT="$tcp" BACKEND_PORT="$BACKEND_PORT" TLS_PORT="$tls"
        TLS_CERT="$TLS_CERT" TLS_KEY="$TLS_KEY")
    case $name in
    haproxy)
        render "$BENCH_CONF/haproxy.cfg" "$dir/haproxy.cfg" "${common[@]}" MAXCONN="$PROXY_MAXCONN" TLS_PEM="$TLS_PEM" ;;
    nginx)
        local load="" include=""
        if [ -f "$NGINX_STREAM_MODULE" ]; then
            render "$BENCH_CONF/nginx-stream.conf" "$dir/stream.conf" "${common[@]}"
            load="load_module $NGINX_STREAM_MODULE;" include="include $dir/stream.conf;"
        else
            log "nginx has no stream module (libnginx-mod-stream): no TCP figures for nginx"
            T_TCP[nginx]=""
        fi
        render "$BENCH_CONF/nginx-proxy.conf" "$dir/nginx.conf" "${common[@]}" STREAM_LOAD="$load" \
            STREAM_INCLUDE="$include" NOFILE="$NOFILE" WORKER_CONNECTIONS="$NOFILE" ;;
    gatehouse | gatehouse-log)
        if [ ! -f "${GATEHOUSE_JAR:-}" ]; then
            log "no Gatehouse jar at ${GATEHOUSE_JAR:-?} (build: mvn -B -o -DskipTests package, or set GATEHOUSE_JAR)"
            return 1
        fi
        local access_log="~"
        [ "$name" = gatehouse ] || access_log="{ path: $dir/access.log, format: json }"
        render "$BENCH_CONF/gatehouse.yaml" "$dir/gatehouse.yaml" "${common[@]}" ACCESS_LOG="$access_log"
        # shellcheck disable=SC2086 # the options are a list of words
        GATEHOUSE_AOT=$(gh_aot_cache "$GATEHOUSE_JAR" $GATEHOUSE_BENCH_JAVA_OPTS) ;;
    *) die "unknown proxy $name" ;;
    esac
}

# Starts NAME in the background on the proxy CPU; sets T_PID[NAME]. Does not wait for it to answer.
launch_proxy() {
    local name=$1 dir=${T_DIR[$1]} PIN
    proxy_cpu_prefix
    case $name in
    haproxy) "${PIN[@]}" haproxy -db -f "$dir/haproxy.cfg" >"$dir/out.log" 2>&1 & ;;
    nginx) "${PIN[@]}" nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 & ;;
    gatehouse | gatehouse-log)
        # shellcheck disable=SC2086 # the options are a list of words
        "${PIN[@]}" "$JAVA_HOME/bin/java" $GATEHOUSE_BENCH_JAVA_OPTS ${GATEHOUSE_AOT:+"$GATEHOUSE_AOT"} -jar "$GATEHOUSE_JAR" \
            run -c "$dir/gatehouse.yaml" --shutdown-bound 1s >"$dir/out.log" 2>&1 & ;;
    esac
    T_PID[$name]=$!
    track_pid $!
}

stop_proxy() { stop_pid "${T_PID[$1]}"; }

# Stops NAME and starts it anew; sets RESTART_MS to the milliseconds from the launch to its first
# proxied 200. Call it in this shell, never in $( ): the new pid must be recorded here.
restart_proxy() {
    local name=$1 start
    stop_proxy "$name"
    # HAProxy binds with SO_REUSEPORT: a stray process on the port would answer for the new one.
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:${T_HTTP[$name]}/"; then
        fail "$name: something still answers on port ${T_HTTP[$name]} after the proxy stopped"
        return 1
    fi
    start=$(date +%s%N)
    launch_proxy "$name"
    RESTART_MS=$(wait_ready "$name" "$start" 60 "${T_PID[$name]}")
}

# Polls TARGET's HTTP port every 10 ms until it answers 200 and prints the milliseconds since START_NS
# (date +%s%N). Returns 1 after BOUND_S seconds, or as soon as PID (if given) has exited.
wait_ready() {
    local target=$1 start_ns=$2 bound_s=$3 pid=${4:-}
    local url="http://127.0.0.1:${T_HTTP[$target]}/" now code
    while :; do
        code=$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$url" 2>/dev/null || true)
        now=$(date +%s%N)
        if [ "$code" = 200 ]; then
            echo $(((now - start_ns) / 1000000))
            return 0
        fi
        if [ -n "$pid" ] && ! alive "$pid"; then return 1; fi
        (((now - start_ns) / 1000000000 >= bound_s)) && return 1
        sleep 0.01
    done
}

# Prepares, launches and waits for every proxy of PROXIES; those that answer join TARGETS.
start_proxies() {
    local name
    for name in $PROXIES; do
        prepare_proxy "$name" || { fail "$name: cannot run here (see above)"; continue; }
        launch_proxy "$name"
        if wait_ready "$name" "$(date +%s%N)" 60 "${T_PID[$name]}" >/dev/null; then
            TARGETS+=("$name")
            log "$name answers on 127.0.0.1:${T_HTTP[$name]} (pid ${T_PID[$name]})"
        else
            fail "$name did not answer 200 within 60 s: $(tail -n 5 "${T_DIR[$name]}"/*.log 2>/dev/null | tr '\n' ' ')"
            stop_proxy "$name"
        fi
    done
}
