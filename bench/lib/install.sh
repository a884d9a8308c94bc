# The peers Gatehouse is compared with, installed from Debian packages when missing.

BENCH_PACKAGES=(haproxy nginx libnginx-mod-stream wrk curl)
NGINX_STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so

tools_missing() {
    local tool missing=()
    for tool in haproxy nginx wrk curl python3 taskset; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    [ -f "$NGINX_STREAM_MODULE" ] || missing+=(nginx-stream-module)
    echo "${missing[*]}"
}

# Installs what is missing (apt-get update once, then install). Returns 1, saying why, when it cannot.
ensure_tools() {
    local missing policy_added=0 rc=0
    missing=$(tools_missing)
    [ -z "$missing" ] && return 0
    log "missing: $missing; installing ${BENCH_PACKAGES[*]}"
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        log "cannot install: needs root and apt-get"
        return 1
    fi
    # Keep the packages' maintainer scripts from starting system-wide daemons on ports 80 and friends.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_added=1
    fi
    timeout 300 apt-get update -qq >"$BENCH_TMP/apt.log" 2>&1 &&
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${BENCH_PACKAGES[@]}" >>"$BENCH_TMP/apt.log" 2>&1 ||
        rc=1
    [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
    if [ "$rc" != 0 ]; then
        log "apt-get failed (no network?): $(tail -n 2 "$BENCH_TMP/apt.log" | tr '\n' ' ')"
        return 1
    fi
    missing=$(tools_missing)
    [ -z "$missing" ] || { log "still missing after install: $missing"; return 1; }
}

# One line per component, for the table's header and RESULTS.md.
tool_versions() {
    echo "- haproxy: $(haproxy -v 2>&1 | head -n 1)"
    echo "- nginx: $(nginx -v 2>&1 | head -n 1)"
    echo "- wrk: $(wrk -v 2>&1 | head -n 1)"
    echo "- curl: $(curl --version | head -n 1 | cut -d' ' -f1-2)"
    echo "- python: $(python3 --version 2>&1)"
    [ -n "${JAVA_HOME:-}" ] && echo "- java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 2 | tail -n 1)"
    [ -n "${GATEHOUSE_JAR:-}" ] && [ -f "$GATEHOUSE_JAR" ] &&
        echo "- gatehouse: $GATEHOUSE_JAR built $(date -r "$GATEHOUSE_JAR" '+%F %T')${GATEHOUSE_COMMIT:+, commit $GATEHOUSE_COMMIT}"
    return 0
}
