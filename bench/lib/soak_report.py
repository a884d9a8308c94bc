"""bench/soak's report: the samples as a table, the growth of each resource, the requests and their failures set
against the churn, and the verdict. Prints Markdown (bench/SOAK.md quotes it); exits 1 on FAIL.

Reads from --dir: samples.tsv (bench/lib/soak_sample.py), failures.tsv (bench/lib/soak_load.py), load.json,
events.tsv (start, end, kind, detail per reload, kill, restart and drill) and problems.txt (what the driver saw
go wrong: a reload not applied, a backend that did not restart, a drill that did not run, a member that exited).

The verdict:
  - every request fails the soak but one in flight at a backend kill: sent before the kill, failed after it;
  - drills' own probe requests count too, and so does every problem;
  - growth (full runs only; --mode smoke judges requests alone): for each node and resource, the mean of the last
    third of the samples may exceed the mean of the first third by at most 5 %, or by a small absolute slack
    (SLACK: a few file descriptors or threads come and go with connections and the JVM's compiler threads; direct
    memory is taken by Netty's pooled allocator in whole chunks of 4 MiB).
"""
import argparse
import json
import os
import statistics
import sys
import time

GROWTH_LIMIT = 0.05
KILL_WINDOW = 5.0     # s after a kill whose failures are listed as "after a kill" (only those in flight are allowed)
DRILL_WINDOW = 10.0   # s after a drill ends: preemption moves the VIP back within it
MIB = 1024 * 1024
HISTOGRAM_TOP = 6     # classes listed per member under "What grew"
# column, header, unit scale, absolute slack in the column's unit
RESOURCES = [
    ("rss", "RSS MiB", 1 / 1024, 0),
    ("heap", "heap after GC MiB", 1 / 1024, 0),
    ("fds", "fds", 1, 8),
    ("threads", "threads", 1, 4),
    ("direct", "direct MiB", 1 / MIB, 4 * MIB),  # slack: one chunk of Netty's pooled allocator
]
SLACK = {name: slack for name, _, _, slack in RESOURCES if slack}


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def fmt(x, scale):
    if x < 0:
        return "?"
    v = x * scale
    return f"{v:.1f}" if scale != 1 else str(int(v))


def mmss(seconds):
    return f"{int(seconds) // 60:02d}:{int(seconds) % 60:02d}"


def lease_gaps(d, day):
    """(lost, served again) Unix times: from a node's log line saying it lost its lease unrenewed to the next line
    of either node saying it serves the VIP (logs stamp local wall time, HH:MM:SS.mmm, of the run's day)."""
    lines = []
    for node in ("lb1", "lb2"):
        path = f"{d}/{node}/out.log"
        if os.path.exists(path):
            for line in open(path, errors="replace"):
                if "lost its lease unrenewed" in line or "VIP front: serving at epoch" in line:
                    try:
                        t = time.mktime(time.strptime(f"{day} {line[:8]}", "%Y-%m-%d %H:%M:%S")) + float(line[8:12])
                    except ValueError:
                        continue
                    lines.append((t, "lost" in line))
    gaps, lost = [], None
    for t, is_loss in sorted(lines):
        if is_loss and lost is None:
            lost = t
        elif not is_loss and lost is not None:
            gaps.append((lost, t))
            lost = None
    if lost is not None:
        gaps.append((lost, float("inf")))
    return gaps


def read_histogram(path):
    """{class: (instances, bytes)} of one saved GC.class_histogram (its largest classes)."""
    classes = {}
    for line in open(path):
        _, instances, size, name = line.split(None, 3)
        classes[name.strip()] = (int(instances), int(size))
    return classes


def print_class_growth(hdir, nodes, from_time):
    """What grew on each member: its collection nearest the end of the first third against its last one."""
    if not os.path.isdir(hdir):
        return
    print(f"What grew, by class (objects in the member's class histogram at its collection nearest the end of the "
          f"first third, and at its last; the {HISTOGRAM_TOP} largest growths in bytes):")
    print()
    print("| node | class | instances | KiB | growth KiB |")
    print("|---|---|---:|---:|---:|")
    for n in nodes:
        taken = sorted((int(f[len(n) + 1:-4]), f) for f in os.listdir(hdir) if f.startswith(n + "-") and f.endswith(".txt"))
        if len(taken) < 2:
            print(f"| {n} | (fewer than two histograms) | | | |")
            continue
        first = read_histogram(f"{hdir}/{min(taken[:-1], key=lambda t: abs(t[0] - from_time))[1]}")
        last = read_histogram(f"{hdir}/{taken[-1][1]}")
        # the collector's fillers are dead space left in place, not objects anything holds (see soak_sample.py)
        growth = sorted(((last[c][1] - first.get(c, (0, 0))[1], c) for c in last if "jdk.internal.vm.Filler" not in c),
                        reverse=True)[:HISTOGRAM_TOP]
        for grew, c in growth:
            i0, b0 = first.get(c, (0, 0))
            i1, b1 = last[c]
            print(f"| {n} | `{c}` | {i0} → {i1} | {b0 / 1024:.1f} → {b1 / 1024:.1f} | {grew / 1024:+.1f} |")
    print()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["full", "smoke"], required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--start", type=float, required=True)
    p.add_argument("--end", type=float, required=True)
    p.add_argument("--warmup", type=int, required=True)
    p.add_argument("--lease", required=True)
    p.add_argument("--gc-every", type=int, default=10, help="seconds between a member's forced collections")
    p.add_argument("--rate", required=True)
    p.add_argument("--conns", required=True)
    p.add_argument("--slow", required=True)
    p.add_argument("--idle", required=True)
    p.add_argument("--jar", required=True)
    p.add_argument("--java-opts", required=True)
    a = p.parse_args()
    d = a.dir
    reasons = []

    # ---- samples ----
    nodes, rows, gc_ms, collections = [], {}, {}, []
    for ts, node, rss, heap, fds, threads, direct, _netty, _jvm, gc, *gc_at in read_tsv(f"{d}/samples.tsv"):
        if node not in nodes:
            nodes.append(node)
        if int(gc) >= 0:
            gc_ms.setdefault(node, []).append(int(gc))
            # (start, node, ms); rows without gc_at (earlier runs, every member collected each round) say when
            # by the member's place in the round
            collections.append((float(gc_at[0]) if gc_at else None, float(ts), node, int(gc)))
        t = round(float(ts) - a.start)
        rows.setdefault(t, {})[node] = dict(rss=int(rss), heap=int(heap), fds=int(fds), threads=int(threads),
                                            direct=int(direct))
    times = sorted(rows)
    collections = [(at if at is not None else ts + nodes.index(n) * 10 / len(nodes), n, ms)
                   for at, ts, n, ms in collections]
    events = [(float(s), float(e), kind, detail) for s, e, kind, detail in read_tsv(f"{d}/events.tsv")]
    count = {k: sum(1 for e in events if e[2] == k) for k in ("reload", "kill", "restart", "drill")}

    print(f"## Soak of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(a.start))}: "
          f"{mmss(a.end - a.start)} (min:s) after a {a.warmup} s warm-up, {a.mode} run")
    print()
    print(f"- machine: {os.cpu_count()} CPUs, load average at the end {open('/proc/loadavg').read().split()[0]}")
    print(f"- jar: {a.jar}, built {time.strftime('%Y-%m-%d %H:%M', time.gmtime(os.path.getmtime(a.jar)))} UTC; "
          f"JVM options: {a.java_opts}")
    print(f"- load on the VIP: {a.rate} GETs/s over {a.conns} keep-alive connections, {a.slow} slow clients, "
          f"{a.idle} idle clients")
    print(f"- churn: {count['reload']} reloads applied, {count['kill']} backend kills with {count['restart']} "
          f"restarts, {count['drill']} drills")
    print()

    every = max(1, len(times) // 60)
    print(f"Samples every 10 s{f' (every {every}th shown)' if every > 1 else ''}; heap after GC is the heap in use right "
          f"after a full collection (GC.class_histogram, then GC.heap_info), direct is gatehouse_netty_direct_memory_bytes (the data plane's "
          f"pooled allocator) plus jvm_buffer_memory_used_bytes{{id=\"direct\"}} (the JVM's direct buffer pool):")
    print()
    print("| time | " + " | ".join(f"{n} {h}" for n in nodes for _, h, _, _ in RESOURCES) + " |")
    print("|---|" + "---:|" * (len(nodes) * len(RESOURCES)))
    for i, t in enumerate(times):
        if i % every and i != len(times) - 1:
            continue
        cells = []
        for n in nodes:
            r = rows[t].get(n)
            cells += [fmt(r[c], s) if r else "?" for c, _, s, _ in RESOURCES]
        print(f"| {mmss(t)} | " + " | ".join(cells) + " |")
    print()

    print(f"Each member was collected every {a.gc_every} s (its rows in between repeat the latest figure); "
          f"GC.class_histogram + GC.heap_info (a full collection, the process stopped), wall time: " + "; ".join(
              f"{n} median {statistics.median(gc_ms[n]):.0f} ms, max {max(gc_ms[n])} ms" for n in nodes if n in gc_ms)
          + f"; {sum(1 for c in collections if c[2] >= 300)} of {len(collections)} took 300 ms or more.")
    print()

    # ---- growth ----
    third = len(times) // 3
    if third < 1:
        reasons.append(f"only {len(times)} samples: no thirds to compare")
    else:
        judged = a.mode == "full"
        print(f"Growth, mean of the first third of the samples ({third}) to the mean of the last third "
              f"(limit {GROWTH_LIMIT:.0%}, or +{SLACK['fds']} fds, +{SLACK['threads']} threads, +{SLACK['direct'] // MIB} MiB direct"
              f"{'' if judged else '; not judged in a smoke run, too short'}):")
        print()
        print("| node | resource | first third | last third | growth | within limit |")
        print("|---|---|---:|---:|---:|---|")
        for n in nodes:
            for c, h, s, slack in RESOURCES:
                first = [rows[t][n][c] for t in times[:third] if n in rows[t] and rows[t][n][c] >= 0]
                last = [rows[t][n][c] for t in times[-third:] if n in rows[t] and rows[t][n][c] >= 0]
                if not first or not last:
                    reasons.append(f"{n} {h}: no readings")
                    continue
                m1, m2 = statistics.mean(first), statistics.mean(last)
                growth = (m2 - m1) / m1 if m1 > 0 else (0.0 if m2 <= 0 else float("inf"))
                ok = growth <= GROWTH_LIMIT or m2 - m1 <= slack
                if judged and not ok:
                    reasons.append(f"{n} {h} grew {growth:+.1%}")
                print(f"| {n} | {h} | {m1 * s:.1f} | {m2 * s:.1f} | {growth:+.1%} | {'yes' if ok else 'NO'} |")
        print()

        print_class_growth(f"{d}/histograms", nodes, a.start + times[third])

    # ---- requests ----
    load = {}
    if os.path.exists(f"{d}/load.json"):
        with open(f"{d}/load.json") as f:
            load = json.load(f)
    failures = [(float(s), float(e), kind, reason) for s, e, kind, reason in read_tsv(f"{d}/failures.tsv")]
    warmup_failed = sum(1 for f in failures if f[0] < a.start)
    failures = [f for f in failures if f[0] >= a.start]
    kills = [e for e in events if e[2] == "kill"]
    drills = [e for e in events if e[2] == "drill"]

    def in_flight(f):
        return any(f[0] <= k[1] and f[1] >= k[0] for k in kills)

    # failures as indices: two may be equal to the millisecond
    allowed = {i for i, f in enumerate(failures) if in_flight(f)}
    after_kill = {i for i, f in enumerate(failures) if any(k[0] <= f[1] <= k[1] + KILL_WINDOW for k in kills)}
    in_drill = {i for i, f in enumerate(failures) if any(dr[0] <= f[1] <= dr[1] + DRILL_WINDOW for dr in drills)}
    all_gaps = lease_gaps(d, time.strftime("%Y-%m-%d", time.localtime(a.start)))
    gaps = [g for g in all_gaps if g[1] >= a.start and g[0] <= a.end]
    in_gap = {i for i, f in enumerate(failures) if any(g[0] - 1 <= f[1] <= g[1] + 1 for g in gaps)}
    soak = load.get("soak", {})
    print("Requests of the soak proper (all idempotent GETs; 'resent': a keep-alive connection the server closed "
          "crossed the request, which was sent once more on a new connection, RFC 9112 9.3.1):")
    print()
    print("| client | requests | 2xx | failed | of them in flight at a kill | resent |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in ("steady", "slow", "idle"):
        s = soak.get(kind, {})
        print(f"| {kind} | {s.get('requests', '?')} | {s.get('ok', '?')} | "
              f"{sum(1 for f in failures if f[2] == kind)} | {sum(1 for i in allowed if failures[i][2] == kind)} | "
              f"{s.get('resent', '?')} |")
    drill_requests = drill_failed = 0
    for dr in drills:
        parts = dr[3].split()
        if parts[:2] != ["?", "?"]:
            drill_requests += int(parts[0])
            drill_failed += int(parts[1])
    print(f"| drill probes (a new connection every 10 ms) | {drill_requests} | {drill_requests - drill_failed} | "
          f"{drill_failed} | 0 | 0 |")
    print()
    lat = load.get("steady_latency_ms", {})
    print(f"Steady load: {load.get('steady_rate', '?')} req/s achieved, latency p50 {lat.get('p50')} ms, "
          f"p99 {lat.get('p99')} ms, p99.9 {lat.get('p999')} ms, max {lat.get('max')} ms. "
          f"Failed in the {a.warmup} s warm-up (not judged): {warmup_failed}; leases that ran out unrenewed "
          f"(lease {a.lease}) in the warm-up: {sum(1 for g in all_gaps if g[0] < a.start)}.")
    print(f"Failures that ended within {KILL_WINDOW:g} s after a backend kill: {len(after_kill)} "
          f"({len(allowed)} in flight at it); from a drill's start to {DRILL_WINDOW:g} s after its end: {len(in_drill)}; "
          f"while no node served the VIP after a lease ran out unrenewed (from the owner's log line to the next "
          f"'serving', ± 1 s): {len(in_gap)} ({len(gaps)} such gaps, "
          f"{sum(min(g[1], a.end) - g[0] for g in gaps if g[0] < a.end):.1f} s in all); "
          f"elsewhere: {len(failures) - len(after_kill | in_drill | in_gap)}.")
    if gaps:
        after_gc = []
        for g in gaps:
            before = [c for c in collections if g[0] - 3 <= c[0] <= g[0]]
            if before:
                after_gc.append(max(before, key=lambda c: c[2]))
        print(f"Of the {len(gaps)} lease gaps in the soak proper, {len(after_gc)} began within 3 s after one of this soak's own forced "
              f"collections (the longest of them before each: " + ", ".join(f"{n} {ms} ms" for _, n, ms in after_gc)
              + "). A member stopped past Raft's election timeout (150-300 ms) costs an election, and elections "
              "in a row cost the lease.")
    for i, f in enumerate(failures[:20]):
        print(f"- failed {time.strftime('%H:%M:%S', time.gmtime(f[0]))} (+{f[1] - f[0]:.3f} s) {f[2]}: {f[3]}"
              f"{' (in flight at a kill)' if i in allowed else ''}")
    if len(failures) > 20:
        print(f"- ... {len(failures) - 20} more in failures.tsv")
    print()

    not_allowed = len(failures) - len(allowed)
    if not soak:
        reasons.append("no summary from the load client")
    elif soak.get("steady", {}).get("ok", 0) == 0:
        reasons.append("no steady request succeeded")
    if not_allowed:
        reasons.append(f"{not_allowed} failed requests not in flight at a kill")
    if drill_failed:
        reasons.append(f"{drill_failed} failed drill probes")
    if os.path.exists(f"{d}/problems.txt"):
        problems = [line.strip() for line in open(f"{d}/problems.txt") if line.strip()]
        for line in problems:
            print(f"- problem: {line}")
        if problems:
            print()
            reasons.append(f"{len(problems)} problems")
    if reasons:
        print("verdict: FAIL (" + "; ".join(reasons) + ")")
        return 1
    what = "no failed request" + (f" beyond {len(allowed)} in flight at a kill" if allowed else "")
    if a.mode == "full":
        what += f", every resource within {GROWTH_LIMIT:.0%} (or the slack) from the first third to the last"
    print(f"verdict: PASS ({what})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
