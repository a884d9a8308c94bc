# Sourced by bin/test (and by scripts that need a real peer): installs the Debian packages the tests use when
# their commands are missing. Each entry is COMMAND:PACKAGE (a file path may stand for the command). Features add
# their peers here, so a fresh machine gets everything from the one `bin/test`.
GH_TEST_PACKAGES=(
  ip:iproute2 arping:iputils-arping iptables:iptables nft:nftables curl:curl perl:perl-base
  promtool:prometheus /usr/bin/prometheus-alertmanager:prometheus-alertmanager
  openssl:openssl testssl:testssl.sh
  nginx:nginx   # a keep-alive TLS backend (UpstreamTlsTest)
  bird:bird2 birdc:bird2 /usr/lib/frr/bfdd:frr vtysh:frr python3:python3 gobgpd:gobgpd   # BGP and BFD peers and wire watch (dev.gatehouse.bfd tests)
  dig:dnsutils kdig:knot-dnsutils /usr/sbin/knotd:knot /usr/sbin/unbound:unbound   # unbound: the resolver of the two-site lab
  chromium:chromium   # the dashboard in a real browser (DashboardGraphsTest)
  /usr/sbin/logrotate:logrotate   # access logs: deploy/logrotate/gatehouse, run for real
  nghttp:nghttp2-client /usr/lib/python3/dist-packages/h2:python3-h2   # HTTP/2 clients, and a client that attacks (dev.gatehouse.proxy.http.h2 tests)
)

# Prints, one a line, the package of each COMMAND:PACKAGE entry whose command (or file) is not there.
gh_missing_packages() {
  local pair cmd
  for pair in "$@"; do
    cmd=${pair%%:*}
    if [ "${cmd#/}" != "$cmd" ]; then [ -e "$cmd" ] && continue; else command -v "$cmd" >/dev/null && continue; fi
    echo "${pair#*:}"
  done
}

# Installs the packages whose command is missing: as root with apt-get only (elsewhere it says what is missing and
# returns 0, and the tests that need them say so). Packages' maintainer scripts must not start system daemons
# (bird, unbound, knot...) on the host, so a policy-rc.d that refuses them is in place during the install.
gh_ensure_packages() {
  local missing policy_added=0 rc=0
  mapfile -t missing < <(gh_missing_packages "$@" | sort -u)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "packages: missing ${missing[*]} (install them as root; tests that need them will say so)" >&2
    return 0
  fi
  echo "packages: installing ${missing[*]}" >&2
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_added=1
  fi
  { timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq \
      --no-install-recommends "${missing[@]}"; } >/tmp/gatehouse-apt.log 2>&1 || rc=$?
  [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
  if [ "$rc" != 0 ]; then
    echo "packages: apt-get failed: $(tail -n 3 /tmp/gatehouse-apt.log | tr '\n' ' ')" >&2
    return 1
  fi
}
