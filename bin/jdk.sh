# Sourced by bin/ scripts: exports JAVA_HOME pointing at a JDK 25 or newer (or exits with a clear message), and offers gh_ensure_maven.
# Order: $JAVA_HOME if it is 25+, then the newest JDK 25+ under /usr/lib/jvm.

gh_java_major() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  # The JDK's release file says it without starting a JVM (a tenth of a second or more per candidate).
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1
    return 0
  fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

gh_find_jdk() {
  local v candidate
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(gh_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then return 0; fi
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    [ -L "$candidate" ] && continue
    v=$(gh_java_major "$candidate")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then export JAVA_HOME="$candidate"; return 0; fi
  done
  echo "gatehouse: needs a JDK 25 or newer; none found in JAVA_HOME (${JAVA_HOME:-unset}) or /usr/lib/jvm." >&2
  echo "gatehouse: install one (e.g. a Temurin 25 JDK package) or set JAVA_HOME to it." >&2
  exit 1
}

gh_find_jdk
export PATH="$JAVA_HOME/bin:$PATH"

# Maven builds the jar; Debian's package is enough (it runs on the JDK found above).
gh_ensure_maven() {
  command -v mvn >/dev/null && return 0
  echo "gatehouse: installing Maven (apt-get install maven)..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null; } \
    || { echo "gatehouse: Maven is needed to build and could not be installed; install the 'maven' package" >&2; exit 1; }
}
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
