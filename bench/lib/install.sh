# The peers Gatehouse is compared with, installed from Debian packages when missing (bin/packages.sh installs).

NGINX_STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
BENCH_PACKAGES=(haproxy:haproxy nginx:nginx "$NGINX_STREAM_MODULE:libnginx-mod-stream" wrk:wrk curl:curl
    python3:python3 taskset:util-linux openssl:openssl h2load:nghttp2-client)

# Installs what is missing; returns 1, saying why, when something still is.
ensure_tools() {
    # shellcheck source=../../bin/packages.sh
    . "$REPO/bin/packages.sh"
    gh_ensure_packages "${BENCH_PACKAGES[@]}" || return 1
    local missing
    missing=$(gh_missing_packages "${BENCH_PACKAGES[@]}" | tr '\n' ' ')
    [ -z "$missing" ] || { log "still missing: $missing"; return 1; }
}

# One line per component, for the table's header and RESULTS.md.
tool_versions() {
    echo "- haproxy: $(haproxy -v 2>&1 | head -n 1)"
    echo "- nginx: $(nginx -v 2>&1 | head -n 1)"
    echo "- wrk: $(wrk -v 2>&1 | head -n 1)"
    echo "- h2load: $(h2load --version 2>&1 | head -n 1)"
    echo "- curl: $(curl --version | head -n 1 | cut -d' ' -f1-2)"
    echo "- openssl: $(openssl version 2>&1)"
    echo "- python: $(python3 --version 2>&1)"
    [ -n "${JAVA_HOME:-}" ] && echo "- java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 2 | tail -n 1)"
    [ -n "${GATEHOUSE_JAR:-}" ] && [ -f "$GATEHOUSE_JAR" ] &&
        echo "- gatehouse: $GATEHOUSE_JAR built $(date -r "$GATEHOUSE_JAR" '+%F %T')${GATEHOUSE_COMMIT:+, commit $GATEHOUSE_COMMIT}"
    return 0
}
