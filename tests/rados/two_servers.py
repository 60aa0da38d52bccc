"""two_servers: a pytest plugin (tests/rados/suite loads it with `-p two_servers`) that runs
tests/integration against TWO cairn servers sharing one RADOS pool, alternating requests between
them (docs/rados.md, "Several servers").

Every CairnServer of tests/integration/conftest.py (the session server and those of make_server)
becomes a pair: the server as the conftest starts it (on a private port), a twin with the same
flags (its own data dir and log; CAIRN_ENGINE=rados in the environment puts both on the pool), and
a proxy on the server's public port that sends each HTTP request to the two in turn (request 1 to
the first, 2 to the twin, 3 to the first...), whatever connection it came on. So a test's
CreateTable may be answered by one server and its next PutItem by the other. stop/kill/restart act
on the pair. The requests are forwarded as received (Content-Length bodies; the conftest's clients
send nothing else) and the answers as the servers gave them.
"""
import http.client
import itertools
import socket
import sys
import threading
from pathlib import Path

HOST = "127.0.0.1"
_turn = itertools.count()
_turn_lock = threading.Lock()


def _next_turn():
    with _turn_lock:
        return next(_turn)


class Proxy:
    """Listens on (HOST, port); each request goes to backends[turn % 2]."""

    def __init__(self, port, backends):
        self.backends = backends
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, port))
        self.sock.listen(64)
        self.closed = False
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for c in list(self.conns):
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        backends = {}
        try:
            reader = conn.makefile("rb")
            while True:
                line = reader.readline(65537)
                if not line:
                    return
                head = [line]
                length = 0
                while True:
                    h = reader.readline(65537)
                    if not h:
                        return
                    head.append(h)
                    if h in (b"\r\n", b"\n"):
                        break
                    name, _, value = h.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                body = reader.read(length) if length else b""
                method = line.split(b" ", 1)[0].decode()
                port = self.backends[_next_turn() % len(self.backends)]
                reply = self._forward(backends, port, method, b"".join(head) + body)
                conn.sendall(reply)
        except (OSError, ValueError, http.client.HTTPException):
            return
        finally:
            for b in backends.values():
                b.close()
            try:
                conn.close()
            except OSError:
                pass
            if conn in self.conns:
                self.conns.remove(conn)

    def _forward(self, backends, port, method, raw):
        for attempt in range(2):  # a kept-alive backend connection may have been closed
            b = backends.get(port)
            if b is None:
                b = socket.create_connection((HOST, port), timeout=30)
                backends[port] = b
            try:
                b.sendall(raw)
                resp = http.client.HTTPResponse(b, method=method)
                resp.begin()
                body = resp.read()
                break
            except (OSError, http.client.HTTPException):
                b.close()
                del backends[port]
                if attempt == 1:
                    raise
        out = [f"HTTP/1.1 {resp.status} {resp.reason}\r\n".encode()]
        for k, v in resp.getheaders():
            if k.lower() in ("content-length", "transfer-encoding"):
                continue
            out.append(f"{k}: {v}\r\n".encode())
        out.append(f"Content-Length: {len(body)}\r\n\r\n".encode())
        if resp.will_close:
            b.close()
            del backends[port]
        return b"".join(out) + body


def _patch(cs):
    orig_start, orig_stop, orig_kill = cs.start, cs.stop, cs.kill

    def start(self):
        if getattr(self, "_is_twin", False):
            return orig_start(self)
        public = self.port
        if not hasattr(self, "_private_port"):
            self._private_port = sys.modules[cs.__module__].free_port()
        self.port = self._private_port
        try:
            orig_start(self)
        finally:
            self.port = public
        if getattr(self, "twin", None) is None:
            self.twin = cs(Path(str(self.data_dir) + "-twin"), Path(str(self.log_path) + "-twin"),
                           self.args)
            self.twin._is_twin = True
        self.twin.preexec_fn = self.preexec_fn
        orig_start(self.twin)
        self.proxy = Proxy(public, [self._private_port, self.twin.port])
        return self

    def _close_proxy(self):
        p = getattr(self, "proxy", None)
        if p is not None:
            p.close()
            self.proxy = None

    def stop(self):
        _close_proxy(self)
        if getattr(self, "twin", None) is not None and self.twin.proc is not None:
            orig_stop(self.twin)
        return orig_stop(self)

    def kill(self):
        _close_proxy(self)
        if getattr(self, "twin", None) is not None:
            orig_kill(self.twin)
        return orig_kill(self)

    cs.start, cs.stop, cs.kill = start, stop, kill


def pytest_sessionstart(session):
    for m in list(sys.modules.values()):
        cs = getattr(m, "CairnServer", None)
        if isinstance(cs, type) and not getattr(cs, "_two_servers", False):
            cs._two_servers = True
            _patch(cs)
