"""bench/soak's clients on the VIP: a steady, paced load of keep-alive GETs, a few slow clients that send each
request a byte at a time over seconds, and a few idle keep-alive clients that send a GET now and then.

Every request is an idempotent GET. It fails when it gets no 2xx answer: another status, a refused or reset
connection, a close before the whole response, or no answer within --timeout. One case is sent again instead,
as RFC 9112 section 9.3.1 lets a client do: a request on a reused keep-alive connection that the server closed
before any byte of a response came (a server may close an idle connection at any time, and the close can cross
the request on the wire). It is sent once more on a new connection, counted as "resent", and the second
attempt's outcome is the request's.

Writes one line per failed request to --failures as it happens (start and end as Unix seconds, the client kind,
the reason), a progress line to stdout every 10 s, and, once --stop exists or --bound seconds passed, a summary
as JSON to --summary: counts per client kind for the soak proper (from when --begin appeared) and the warm-up.
"""
import argparse
import array
import asyncio
import json
import os
import sys
import time

KINDS = ("steady", "slow", "idle")


class NoResponse(Exception):
    """The connection ended (EOF or reset) before any byte of a response: the request may be sent again."""


class Failed(Exception):
    """A request that failed for good; the message is the reason."""


class Stats:
    def __init__(self):
        self.ok = 0
        self.failed = 0
        self.resent = 0
        self.server_closes = 0  # connections the server ended between requests, or with Connection: close

    def as_dict(self):
        return {"requests": self.ok + self.failed, **self.__dict__}


class Client:
    def __init__(self, args, failures):
        self.args = args
        self.failures = failures
        self.stats = {k: Stats() for k in KINDS}
        self.latency_ms = array.array("d")  # the steady load's successful requests
        self.stopping = asyncio.Event()
        self.warmup = None  # the stats when --begin appeared: the soak proper counts from there

    def record_failure(self, kind, start, reason):
        self.stats[kind].failed += 1
        self.failures.write(f"{start:.3f}\t{time.time():.3f}\t{kind}\t{reason}\n")
        self.failures.flush()

    async def open(self):
        try:
            return await asyncio.wait_for(asyncio.open_connection(self.args.host, self.args.port), self.args.timeout)
        except asyncio.TimeoutError:
            raise Failed("connect timed out")
        except OSError as e:
            raise Failed(f"connect: {e.strerror or e}")

    async def read_response(self, reader):
        """Reads one response; returns (status, keep_alive). NoResponse when the connection ended before any byte."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            if not e.partial:
                raise NoResponse()
            raise Failed("closed within the response head")
        except ConnectionResetError:
            raise NoResponse()
        except asyncio.LimitOverrunError:
            raise Failed("response head too long")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise Failed(f"malformed status line {lines[0][:60]!r}")
        status = int(parts[1])
        length, chunked, close = 0, False, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and "close" in value:
                close = True
        try:
            if chunked:
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            else:
                await reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionResetError, ValueError):
            raise Failed(f"{status}, then closed within the body")
        return status, not close

    async def send(self, writer, request, gap):
        if gap <= 0:
            writer.write(request)
            await writer.drain()
            return
        for i in range(len(request)):
            writer.write(request[i:i + 1])
            await writer.drain()
            await asyncio.sleep(gap)

    async def request(self, kind, conn, gap=0.0):
        """One GET on conn (a [reader, writer] or None for a new connection); returns the connection to reuse or None."""
        st = self.stats[kind]
        start, t0 = time.time(), time.monotonic()
        request = f"GET /soak/{kind} HTTP/1.1\r\nHost: soak\r\nUser-Agent: bench-soak\r\n\r\n".encode()
        resent = False
        while True:
            reused = conn is not None
            try:
                if conn is None:
                    conn = list(await self.open())
                reader, writer = conn
                await asyncio.wait_for(self.send(writer, request, gap), self.args.timeout + len(request) * gap)
                status, keep = await asyncio.wait_for(self.read_response(reader), self.args.timeout)
            except (NoResponse, BrokenPipeError, ConnectionResetError) as e:
                close(conn)
                conn = None
                if reused and not resent:
                    resent = True
                    st.resent += 1
                    continue
                self.record_failure(kind, start, "closed before any response" if isinstance(e, NoResponse) else f"send: {e}")
                return None
            except asyncio.TimeoutError:
                close(conn)
                self.record_failure(kind, start, f"no response within {self.args.timeout:g} s")
                return None
            except (Failed, OSError) as e:
                close(conn)
                self.record_failure(kind, start, str(e))
                return None
            break
        if 200 <= status < 300:
            st.ok += 1
            if kind == "steady":
                self.latency_ms.append((time.monotonic() - t0) * 1000)
        else:
            self.record_failure(kind, start, f"status {status}")
        if not keep:
            st.server_closes += 1
            close(conn)
            return None
        return conn

    async def steady(self, index):
        """One of --conns connections; together they send --rate requests/s on a shared schedule."""
        interval = self.args.conns / self.args.rate
        next_slot = time.monotonic() + index * interval / self.args.conns
        conn, used = None, 0
        while not self.stopping.is_set():
            now = time.monotonic()
            if next_slot > now:
                await asyncio.sleep(next_slot - now)
            next_slot = max(next_slot + interval, time.monotonic() - 1.0)  # catch up at most 1 s after a stall
            if conn is not None and conn[0].at_eof():
                self.stats["steady"].server_closes += 1
                close(conn)
                conn = None
            if conn is None:
                used = 0
            conn = await self.request("steady", conn)
            used += 1
            if conn is not None and used >= self.args.per_conn:
                close(conn)
                conn = None
        close(conn)

    async def slow(self):
        conn = None
        while not self.stopping.is_set():
            conn = await self.request("slow", conn, gap=self.args.slow_gap)
            await self.pause(1.0)
        close(conn)

    async def idle(self, index):
        conn = None
        await self.pause(index * self.args.idle_every / max(1, self.args.idle))
        while not self.stopping.is_set():
            if conn is not None and conn[0].at_eof():
                self.stats["idle"].server_closes += 1
                close(conn)
                conn = None
            conn = await self.request("idle", conn)
            await self.pause(self.args.idle_every)
        close(conn)

    async def pause(self, seconds):
        try:
            await asyncio.wait_for(self.stopping.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    async def watch(self, deadline):
        last = time.monotonic()
        while not os.path.exists(self.args.stop) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            if self.warmup is None and os.path.exists(self.args.begin):
                self.warmup = ({k: s.as_dict() for k, s in self.stats.items()}, time.monotonic())
                self.latency_ms = array.array("d")
            if time.monotonic() - last >= 10:
                last = time.monotonic()
                print(time.strftime("%H:%M:%S"), " ".join(f"{k}: {s.ok} ok {s.failed} failed {s.resent} resent"
                                                         for k, s in self.stats.items()), flush=True)
        self.stopping.set()

    def summary(self, started):
        """The soak proper (from --begin on, or all if it never appeared) and the warm-up before it."""
        lat = sorted(self.latency_ms)

        def pct(p):
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None

        warm, began = self.warmup or ({k: Stats().as_dict() for k in KINDS}, started)
        seconds = time.monotonic() - began
        soak = {k: {f: v - warm[k][f] for f, v in s.as_dict().items()} for k, s in self.stats.items()}
        return {
            "seconds": round(seconds, 1),
            "steady_rate": round(soak["steady"]["requests"] / seconds, 1) if seconds else 0,  # answered or failed
            "steady_latency_ms": {"p50": pct(0.5), "p99": pct(0.99), "p999": pct(0.999), "max": pct(1.0)},
            "soak": soak,
            "warmup": warm,
        }


def close(conn):
    if conn is not None:
        conn[1].close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--rate", type=float, default=400, help="steady requests per second, all connections together")
    p.add_argument("--conns", type=int, default=8, help="steady keep-alive connections")
    p.add_argument("--per-conn", type=int, default=200, help="requests before a steady connection is replaced")
    p.add_argument("--slow", type=int, default=3, help="slow clients")
    p.add_argument("--slow-gap", type=float, default=0.05, help="seconds between a slow client's bytes")
    p.add_argument("--idle", type=int, default=10, help="idle keep-alive clients")
    p.add_argument("--idle-every", type=float, default=20, help="seconds between an idle client's requests")
    p.add_argument("--timeout", type=float, default=10, help="seconds for a connect, and for a response")
    p.add_argument("--failures", required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--begin", required=True, help="the soak proper begins (after the warm-up) once this file exists")
    p.add_argument("--stop", required=True, help="the clients stop once this file exists")
    p.add_argument("--bound", type=float, required=True, help="seconds after which they stop regardless")
    args = p.parse_args()

    with open(args.failures, "a") as failures:
        client = Client(args, failures)
        started = time.monotonic()
        tasks = [asyncio.create_task(client.steady(i)) for i in range(args.conns)]
        tasks += [asyncio.create_task(client.slow()) for _ in range(args.slow)]
        tasks += [asyncio.create_task(client.idle(i)) for i in range(args.idle)]
        await client.watch(started + args.bound)
        await asyncio.gather(*tasks)
    with open(args.summary, "w") as f:
        json.dump(client.summary(started), f, indent=1)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
