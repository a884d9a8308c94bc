"""bench/soak's sampler: every --interval seconds, for each Gatehouse process, one row of what it holds.

  rss_kib      VmRSS of /proc/PID/status
  heap_kib     heap in use right after a full collection: one HotSpot attach request runs the diagnostic commands
               GC.class_histogram (a full collection, then the live objects by class) and GC.heap_info (what
               `jcmd PID GC.class_histogram` and `jcmd PID GC.heap_info` do, without starting a JVM for jcmd every
               time), and this sums the "used" of the heap's generations less the collector's filler objects
               (dead space a full collection leaves in place rather than compact, up to MarkSweepDeadRatio of
               the old generation: 0.4-1.2 MiB from one collection to the next, noise to this measure); a member
               is collected every --gc-every seconds, and its rows in between repeat the latest figure. The
               histogram's largest classes go to --histograms/NAME-UNIXTIME.txt, for the report to say what grew
  fds          entries of /proc/PID/fd
  threads      Threads of /proc/PID/status
  direct_bytes direct memory, from the node's /metrics: gatehouse_netty_direct_memory_bytes (the data plane's
               pooled allocator, whole chunks) plus jvm_buffer_memory_used_bytes{id="direct"} (the JVM's direct
               buffer pool, which does not count the former); then each of the two

  gc_ms        how long the attach request with the collection took (wall time; -1: no collection this round)
  gc_at        when that request began (Unix time; -1: none)

Rows go to --out as TSV (Unix time of the round, node, then the columns above; -1 where a reading failed) until
--stop exists or --bound seconds passed.
"""
import argparse
import os
import re
import signal
import socket
import sys
import time
import urllib.request

GENERATION = re.compile(r"total (\d+)K, used (\d+)K")
HISTOGRAM_ROW = re.compile(r"^\s*\d+:\s+\d+\s+(\d+)\s+(\S+)")
FILLER = re.compile(r"jdk\.internal\.vm\.Filler")
HISTOGRAM_KEPT = 300  # rows, largest first: a few MiB of growth shows among them
JVM_DIRECT = re.compile(r'^jvm_buffer_memory_used_bytes\{[^}]*id="direct"[^}]*\} (\S+)$', re.M)
NETTY_DIRECT = re.compile(r"^gatehouse_netty_direct_memory_bytes (\S+)$", re.M)


def attach_socket(pid):
    """The path of PID's attach listener socket, starting the listener first if it is not running."""
    path = f"/proc/{pid}/root/tmp/.java_pid{pid}"
    if os.path.exists(path):
        return path
    # HotSpot starts its attach listener on SIGQUIT when this file exists in its working directory.
    trigger = f"/proc/{pid}/cwd/.attach_pid{pid}"
    open(trigger, "w").close()
    try:
        os.kill(pid, signal.SIGQUIT)
        deadline = time.monotonic() + 10
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                raise OSError(f"no attach listener in pid {pid} after 10 s")
            time.sleep(0.05)
    finally:
        os.unlink(trigger)
    return path


def jcmd(pid, commands):
    """Runs diagnostic commands (one a line) in PID through the attach protocol, version 1; returns their output."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(attach_socket(pid))
        s.sendall(b"1\0jcmd\0" + commands.encode() + b"\0\0\0")
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    code, _, text = out.decode(errors="replace").partition("\n")
    if code.strip() != "0":
        raise OSError(f"jcmd in pid {pid} answered {code.strip()}: {text.strip()[:200]}")
    return text


def heap_after_gc_kib(pid, histogram_file):
    text = jcmd(pid, "GC.class_histogram\nGC.heap_info")
    rows = [line for line in text.splitlines() if HISTOGRAM_ROW.match(line)]
    with open(histogram_file, "w") as f:
        f.write("\n".join(rows[:HISTOGRAM_KEPT]) + "\n")
    used = [int(m.group(2)) for m in GENERATION.finditer(text)]
    if not used:
        raise OSError(f"no heap figures in GC.heap_info of pid {pid}: {text.strip()[:200]}")
    filler = sum(int(m.group(1)) for m in map(HISTOGRAM_ROW.match, rows) if FILLER.search(m.group(2)))
    return sum(used) - filler // 1024


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise OSError(f"no {name} in /proc/{pid}/status")


def direct_bytes(admin):
    """(Netty's pooled direct memory, the JVM's direct buffer pool) in bytes."""
    with urllib.request.urlopen(f"http://{admin}/metrics", timeout=5) as r:
        text = r.read().decode()
    found = []
    for pattern in (NETTY_DIRECT, JVM_DIRECT):
        m = pattern.search(text)
        if m is None:
            raise OSError(f"no {pattern.pattern} at {admin}/metrics")
        found.append(int(float(m.group(1))))
    return tuple(found)


def reading(fn, *args):
    try:
        return fn(*args)
    except (OSError, ValueError) as e:
        print(f"sample: {fn.__name__}{args}: {e}", file=sys.stderr, flush=True)
        return -1 if fn is not direct_bytes else (-1, -1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--node", action="append", required=True, help="NAME:PID:ADMIN_HOST:ADMIN_PORT")
    p.add_argument("--interval", type=float, default=10)
    p.add_argument("--gc-every", type=float, default=60, help="seconds between a member's forced collections")
    p.add_argument("--out", required=True)
    p.add_argument("--histograms", required=True, help="a directory for the class histograms")
    p.add_argument("--stop", required=True)
    p.add_argument("--bound", type=float, required=True)
    args = p.parse_args()
    nodes = []
    for spec in args.node:
        name, pid, admin = spec.split(":", 2)
        nodes.append((name, int(pid), admin))

    # The nodes' collections are spread out, one member at a time and never back to back: a full collection stops
    # the process, and one that a loaded CPU stretches past Raft's election timeout (150-300 ms) costs an election;
    # two members stopped at once would leave the cluster without a majority. Member i is collected in the rounds
    # i * rounds_per_gc / len(nodes) (mod rounds_per_gc); its heap column repeats its latest collection in between.
    rounds_per_gc = max(1, round(args.gc_every / args.interval))
    last_heap = {name: -1 for name, _, _ in nodes}
    started = time.monotonic()
    next_at = started
    round_no = 0
    with open(args.out, "a") as out:
        while not os.path.exists(args.stop) and time.monotonic() - started < args.bound:
            now = time.time()  # the round's time, on every node's row
            for i, (name, pid, admin) in enumerate(nodes):
                wait_until(next_at + i * args.interval / len(nodes), args.stop)
                gc_ms = gc_at = -1
                if round_no % rounds_per_gc == (i * rounds_per_gc // len(nodes)) % rounds_per_gc or last_heap[name] < 0:
                    gc_at, t0 = time.time(), time.monotonic()
                    histogram = os.path.join(args.histograms, f"{name}-{int(gc_at)}.txt")
                    last_heap[name] = reading(heap_after_gc_kib, pid, histogram)  # first: not counting what the reads allocate
                    gc_ms = round((time.monotonic() - t0) * 1000)
                netty, jvm = reading(direct_bytes, admin)
                row = [f"{now:.3f}", name, reading(status_field, pid, "VmRSS"), last_heap[name],
                       reading(lambda: len(os.listdir(f"/proc/{pid}/fd"))), reading(status_field, pid, "Threads"),
                       netty + jvm if min(netty, jvm) >= 0 else -1, netty, jvm, gc_ms, f"{gc_at:.3f}"]
                out.write("\t".join(map(str, row)) + "\n")
                out.flush()
            next_at += args.interval
            round_no += 1
            wait_until(next_at, args.stop)

def wait_until(deadline, stop):
    while time.monotonic() < deadline and not os.path.exists(stop):
        time.sleep(0.1)


if __name__ == "__main__":
    main()
