"""Opens many keep-alive client connections, sends one GET on each, then holds them idle.

bench/run measures the proxy's resident memory before and while they are held. Protocol with the
driver: when every connection has had its response (or failed), this writes "ok=N failed=M" to the
--ready file; it then idles until the --release file exists (or --bound seconds passed), prints
"ok=N open=K" (K: connections the server had not closed meanwhile) and exits.
"""
import argparse
import asyncio
import os
import sys
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"


async def open_one(port, gate, timeout):
    async with gate:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
            writer.write(REQUEST)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return None
        if not head.startswith(b"HTTP/1.1 200"):
            writer.close()
            return None
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        try:
            await asyncio.wait_for(reader.readexactly(length), timeout)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            writer.close()
            return None
        return reader, writer


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--release", required=True)
    p.add_argument("--bound", type=float, default=120, help="seconds after which it exits regardless")
    p.add_argument("--parallel", type=int, default=256, help="connections being opened at once")
    args = p.parse_args()

    deadline = time.monotonic() + args.bound
    gate = asyncio.Semaphore(args.parallel)
    opened = await asyncio.gather(*(open_one(args.port, gate, 10) for _ in range(args.count)))
    held = [c for c in opened if c is not None]
    with open(args.ready, "w") as f:
        f.write(f"ok={len(held)} failed={args.count - len(held)}\n")

    while not os.path.exists(args.release) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    # The event loop kept reading while idling: a connection the server closed has seen EOF or an error.
    still_open = sum(1 for reader, _ in held if not reader.at_eof() and reader.exception() is None)
    for _, writer in held:
        writer.close()
    print(f"ok={len(held)} open={still_open}")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
