# Sourced by bin/gatehouse and bench/run (after bin/jdk.sh): the JVM options Gatehouse runs with, and its
# ahead-of-time cache. bench/TRIALS.md records what each option bought.
#
# Serial GC: on a small live set it costs the least CPU per request and the least memory of the JDK's
# collectors. A fixed 16 MiB young generation: what requests churn stays in a few MiB that are reused
# rather than touching new pages, and the heap grows only with what connections keep. Compact object
# headers: 8 bytes less per object (a connection is some 60 objects). Native memory the JVM frees (the JIT's
# arenas, mostly) goes back to the OS every second instead of staying in the C allocator.
GH_JAVA_OPTS_DEFAULT="-XX:+UseSerialGC -Xms64m -Xmx512m -Xmn16m -XX:+UseCompactObjectHeaders -XX:TrimNativeHeapInterval=1000"

# gh_aot_cache JAR OPTION...: prints -XX:AOTCache=FILE for JAR run with these options, first training FILE (a
# few seconds of `gatehouse aot-train` under -XX:AOTCacheOutput) when it is missing or older than JAR. The file
# sits beside JAR and is keyed to the options, since the JVM accepts a cache only under compatible ones.
# Prints nothing when training fails: Gatehouse then starts without a cache, only slower.
gh_aot_cache() {
  local jar=$1 key cache tmp
  shift
  key=$(printf '%s ' "$@" | cksum | cut -d' ' -f1)
  cache="${jar%.jar}-$key.aot"
  if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then
    tmp="$cache.$$.tmp"
    echo "gatehouse: training the start-up cache (once per build and JVM options)..." >&2
    if java "$@" -XX:AOTCacheOutput="$tmp" -jar "$jar" aot-train >"${cache%.aot}.train.log" 2>&1 && [ -s "$tmp" ]; then
      mv -f "$tmp" "$cache"
    else
      rm -f "$tmp"
      echo "gatehouse: no start-up cache (see ${cache%.aot}.train.log); starting without one" >&2
      return 0
    fi
  fi
  echo "-XX:AOTCache=$cache"
}
