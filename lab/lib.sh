# Shared by the lab scripts: the lab's names and addresses, and the checks every script makes.
# The lab is one Ethernet segment: a bridge in its own namespace (gh-sw) and one namespace per host, each joined
# to the bridge by a veth pair. Nothing is created in, or routed to, the host's own namespace.

GH_SWITCH=gh-sw
GH_BRIDGE=br0
GH_HOSTS=(client lb1 lb2 lb3 witness be1 be2 r1 r2)
GH_PREFIX=24
GH_VIP=203.0.113.10

# The two-site lab (lab/up-sites): sites a and b, each a segment of its own (switch gh-swa, gh-swb) with a router,
# two nodes, a witness, a GSLB server and a backend in each of two zones; an "internet" router (inet) joined to each site's router
# by a link of its own, with the user (a client) and a resolver on a third segment (gh-swc) behind it.
GH_SITE_HOSTS=(inet user resolver a-r a-lb1 a-lb2 a-w a-dns a-be1 a-be2 b-r b-lb1 b-lb2 b-w b-dns b-be1 b-be2)
GH_SITE_SWITCHES=(gh-swa gh-swb gh-swc)

gh_die() { echo "lab: $*" >&2; exit 1; }

gh_need_root() {
  [ "$(id -u)" = 0 ] || gh_die "needs root (network namespaces)"
}

# The address of a lab host; accepts "lb1" or "gh-lb1".
gh_addr() {
  case "${1#gh-}" in
    client) echo 203.0.113.100 ;;
    lb1) echo 203.0.113.11 ;;
    lb2) echo 203.0.113.12 ;;
    lb3) echo 203.0.113.14 ;;
    witness) echo 203.0.113.13 ;;
    be1) echo 203.0.113.21 ;;
    be2) echo 203.0.113.22 ;;
    r1) echo 203.0.113.1 ;;
    r2) echo 203.0.113.2 ;;
    a-r) echo 203.0.113.1 ;;      # site a: 203.0.113.0/26; uplink 192.0.2.2/30
    a-lb1) echo 203.0.113.11 ;;
    a-lb2) echo 203.0.113.12 ;;
    a-w) echo 203.0.113.13 ;;
    a-dns) echo 203.0.113.14 ;;
    a-be1) echo 203.0.113.21 ;;
    a-be2) echo 203.0.113.22 ;;
    b-r) echo 203.0.113.65 ;;     # site b: 203.0.113.64/26; uplink 192.0.2.6/30
    b-lb1) echo 203.0.113.75 ;;
    b-lb2) echo 203.0.113.76 ;;
    b-w) echo 203.0.113.77 ;;
    b-dns) echo 203.0.113.78 ;;
    b-be1) echo 203.0.113.85 ;;
    b-be2) echo 203.0.113.86 ;;
    inet) echo 192.0.2.129 ;;     # the client segment 192.0.2.128/26; uplinks 192.0.2.1/30 (a), 192.0.2.5/30 (b)
    user) echo 192.0.2.130 ;;
    resolver) echo 192.0.2.131 ;;
    *) gh_die "no lab host '$1' (hosts: ${GH_HOSTS[*]} ${GH_SITE_HOSTS[*]})" ;;
  esac
}

# The namespace of a lab host; accepts "lb1" or "gh-lb1".
gh_ns() {
  gh_addr "$1" >/dev/null
  echo "gh-${1#gh-}"
}

# The namespace of the switch a host's eth0 is plugged into.
gh_switch() {
  case "${1#gh-}" in
    a-*) echo gh-swa ;;
    b-*) echo gh-swb ;;
    inet|user|resolver) echo gh-swc ;;
    *) echo "$GH_SWITCH" ;;
  esac
}

gh_ns_exists() {
  [ -e "/run/netns/$1" ]
}

# Installs the Debian packages the lab uses when a command is missing (bin/packages.sh lists them).
gh_ensure_tools() {
  . "$(dirname "${BASH_SOURCE[0]}")/../bin/packages.sh"
  gh_ensure_packages "${GH_TEST_PACKAGES[@]}" || gh_die "could not install the lab's packages"
}

# Removes one lab namespace: first the processes still running in it (by the PIDs the kernel lists for that
# namespace, which only the lab starts), then the namespace with its veth ends.
gh_remove_ns() {
  local ns=$1 pids
  gh_ns_exists "$ns" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  if [ -n "$pids" ]; then
    kill -9 $pids 2>/dev/null || true
  fi
  ip netns del "$ns" 2>/dev/null || true
}

# Where cgroup v2 is mounted (the unified hierarchy), or nothing. The lab gives each host a cgroup gh-HOST there,
# which the processes the lab starts in that host join, with everything they start: a test freezes them all at
# once (cgroup.freeze), as systemctl freeze or a container pause does.
gh_cgroup_root() {
  local root
  root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
  [ -n "$root" ] && [ -w "$root" ] && echo "$root"
  return 0
}

gh_make_cgroup() {
  local root
  root=$(gh_cgroup_root)
  [ -n "$root" ] || return 0
  mkdir -p "$root/$1"
  [ -e "$root/$1/cgroup.freeze" ] || rmdir "$root/$1"  # a cgroup that cannot freeze is no use
}

# Thaws a host's cgroup, kills what is left in it and removes it.
gh_remove_cgroup() {
  local root cg pids i
  root=$(gh_cgroup_root)
  cg="$root/$1"
  [ -n "$root" ] && [ -d "$cg" ] || return 0
  echo 0 > "$cg/cgroup.freeze" 2>/dev/null || true
  pids=$(cat "$cg/cgroup.procs" 2>/dev/null || true)
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  for i in $(seq 50); do rmdir "$cg" 2>/dev/null && return 0; sleep 0.1; done
  echo "lab: could not remove cgroup $cg" >&2
}

gh_down() {
  local h
  for h in "${GH_HOSTS[@]}" "${GH_SITE_HOSTS[@]}"; do gh_remove_cgroup "gh-$h"; gh_remove_ns "gh-$h"; done
  for h in "$GH_SWITCH" "${GH_SITE_SWITCHES[@]}"; do gh_remove_ns "$h"; done
}

# Adds (add) or removes (del) the DROP rules between two lab hosts, in both namespaces, tagged "gh-cut".
gh_cut_pair() {
  local a b action=$3 ns peer rule
  a=$(gh_ns "$1") b=$(gh_ns "$2")
  [ "$a" != "$b" ] || gh_die "cannot cut $1 from itself"
  for ns in "$a" "$b"; do
    if [ "$ns" = "$a" ]; then peer=$(gh_addr "$b"); else peer=$(gh_addr "$a"); fi
    for rule in "INPUT -s $peer" "OUTPUT -d $peer"; do
      if [ "$action" = add ]; then
        ip netns exec "$ns" iptables -w -C $rule -m comment --comment gh-cut -j DROP 2>/dev/null \
          || ip netns exec "$ns" iptables -w -I $rule -m comment --comment gh-cut -j DROP
      else
        while ip netns exec "$ns" iptables -w -C $rule -m comment --comment gh-cut -j DROP 2>/dev/null; do
          ip netns exec "$ns" iptables -w -D $rule -m comment --comment gh-cut -j DROP
        done
      fi
    done
  done
}
