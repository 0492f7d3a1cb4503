"""HTTP to the manager: one keep-alive connection per thread, JSON in and out, errors as PilotError.

A manager with TLS (``tls_fingerprint`` in ``access.json``) is spoken to over HTTPS with its
certificate pinned: the SHA-256 of the DER certificate the server presents must equal the
fingerprint, checked right after the handshake and before any byte of a request (the token above
all) is sent. No certificate authority is consulted: the manager's certificate is self-signed.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import threading
import urllib.parse
from typing import Any, Iterator, Optional

from .errors import PilotError


def parse_fingerprint(fingerprint: str) -> bytes:
    """``sha256:HEX`` (colons between bytes allowed) to 32 bytes; anything else is a PilotError."""
    f = fingerprint.strip()
    if f.lower().startswith("sha256:"):
        f = f[7:]
    f = f.replace(":", "")
    try:
        raw = bytes.fromhex(f)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise PilotError("bad_fingerprint", f"the TLS fingerprint '{fingerprint[:80]}' is not sha256:HEX (64 hex digits)")
    return raw


def _pinned_context() -> ssl.SSLContext:
    # The pin replaces the CA check and the name check (the certificate is self-signed); the
    # protocol floor stays.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def check_pin(sock: ssl.SSLSocket, pin: bytes, peer: str) -> None:
    """Refuses the connection unless the peer's certificate hashes to ``pin``."""
    der = sock.getpeercert(binary_form=True)
    got = hashlib.sha256(der).digest() if der else b""
    if not hmac.compare_digest(got, pin):
        presented = ("sha256:" + got.hex()) if der else "(none)"
        raise PinMismatchError(peer, presented, "sha256:" + pin.hex())


class PinMismatchError(PilotError):
    """The server's certificate is not the pinned one: nothing was sent to it."""

    def __init__(self, peer: str, presented: str, expected: str) -> None:
        super().__init__("tls_pin_mismatch",
                         f"refused the TLS connection to {peer}: its certificate ({presented}) does not match the pinned "
                         f"fingerprint {expected} (tls_fingerprint in access.json); no token was sent")
        self.presented = presented
        self.expected = expected


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS whose only accepted certificate is the pinned one, checked before the request goes out."""

    def __init__(self, host: str, port: int, pin: bytes, timeout: Optional[float]) -> None:
        super().__init__(host, port, timeout=timeout, context=_pinned_context())
        self._pin = pin

    def connect(self) -> None:
        super().connect()
        try:
            check_pin(self.sock, self._pin, f"{self.host}:{self.port}")
        except PilotError:
            self.sock.close()
            self.sock = None
            raise


class Transport:
    """Talks to one manager at ``host:port`` with a bearer token; over pinned HTTPS when given a fingerprint."""

    def __init__(self, host: str, port: int, token: str, timeout: float = 90.0, fingerprint: Optional[str] = None,
                 token_source: Optional[Any] = None) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.timeout = timeout
        self.fingerprint = fingerprint
        # Called after a 401 for the token now in force (``access.json`` re-read): a token rotated
        # with ``pilot manager rotate-token`` is picked up and the request sent once more.
        self._token_source = token_source
        self._pin = parse_fingerprint(fingerprint) if fingerprint is not None else None
        self._local = threading.local()

    @property
    def base_url(self) -> str:
        return f"{'https' if self._pin is not None else 'http'}://{self.host}:{self.port}"

    def _new_connection(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self._pin is not None:
            return PinnedHTTPSConnection(self.host, self.port, self._pin, timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def _connection(self) -> http.client.HTTPConnection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = self._new_connection(self.timeout)
            self._local.conn = c
        return c

    def _drop(self) -> None:
        c = getattr(self._local, "conn", None)
        if c is not None:
            c.close()
            self._local.conn = None

    def headers(self, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"}
        if extra:
            h.update(extra)
        return h

    def request_raw(self, method: str, path: str, query: Optional[dict[str, Any]] = None, body: Any = None,
                    timeout: Optional[float] = None) -> tuple[int, dict[str, str], bytes]:
        """Sends one request; returns status, headers (lower-case names) and the whole body."""
        answer = self._request_once(method, path, query, body, timeout)
        if answer[0] == 401 and self._token_source is not None:
            try:
                fresh = self._token_source()
            except PilotError:
                fresh = None
            if fresh and fresh != self.token:
                self.token = fresh
                answer = self._request_once(method, path, query, body, timeout)
        return answer

    def _request_once(self, method: str, path: str, query: Optional[dict[str, Any]], body: Any,
                      timeout: Optional[float]) -> tuple[int, dict[str, str], bytes]:
        if query:
            q = {k: _query_value(v) for k, v in query.items() if v is not None}
            if q:
                path += "?" + urllib.parse.urlencode(q)
        data = None if body is None else json.dumps(body).encode()
        hdrs = self.headers({"Content-Type": "application/json"} if data is not None else None)
        # A kept-alive connection the server has since closed fails on first use; one fresh retry is
        # safe because the request never reached the server.
        for attempt in (0, 1):
            conn = self._connection()
            reused = conn.sock is not None
            try:
                if timeout is not None:
                    conn.timeout = timeout
                    if conn.sock is not None:
                        conn.sock.settimeout(timeout)
                conn.request(method, path, body=data, headers=hdrs)
                resp = conn.getresponse()
                payload = resp.read()
                if timeout is not None and conn.sock is not None:
                    conn.sock.settimeout(self.timeout)
                conn.timeout = self.timeout
                if resp.getheader("Connection", "").lower() == "close":
                    self._drop()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload
            except PilotError:
                self._drop()
                raise
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    ssl.SSLEOFError, ssl.SSLZeroReturnError) as e:
                # Over TLS a kept-alive connection the server closed shows as an EOF in the TLS layer.
                self._drop()
                if attempt == 0 and reused:
                    continue
                raise PilotError("unreachable", f"the manager at {self.base_url} closed the connection: {e}", cause=e) from e
            except (OSError, http.client.HTTPException) as e:
                self._drop()
                raise PilotError("unreachable", f"no manager answers at {self.base_url}: {e}", cause=e) from e
        raise AssertionError("unreachable")

    def call(self, method: str, path: str, query: Optional[dict[str, Any]] = None, body: Any = None,
             timeout: Optional[float] = None) -> Any:
        """A JSON request; a 4xx/5xx answer raises PilotError with the API's code, message and field."""
        status, _, payload = self.request_raw(method, path, query, body, timeout)
        if status >= 400:
            raise error_from(status, payload)
        if not payload:
            return None
        try:
            return json.loads(payload)
        except ValueError as e:
            raise PilotError("bad_response", f"{method} {path}: the answer is not JSON", status=status, cause=e) from e

    def stream_lines(self, path: str, query: dict[str, Any], headers: Optional[dict[str, str]] = None,
                     on_open: Optional[Any] = None) -> Iterator[str]:
        """A streamed GET on a connection of its own, yielded line by line (Server-Sent Events)."""
        q = {k: _query_value(v) for k, v in query.items() if v is not None}
        conn = self._new_connection(None)
        try:
            conn.request("GET", path + ("?" + urllib.parse.urlencode(q) if q else ""), headers=self.headers(headers))
            resp = conn.getresponse()
            if resp.status >= 400:
                raise error_from(resp.status, resp.read())
            if on_open is not None:
                on_open(conn)
            while True:
                line = resp.readline()
                if not line:
                    return
                yield line.decode("utf-8", "replace").rstrip("\r\n")
        except PilotError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as e:
            raise PilotError("unreachable", f"the event stream from {self.base_url} ended: {e}", cause=e) from e
        finally:
            conn.close()


def shutdown_connection(conn: http.client.HTTPConnection) -> None:
    """Wakes a thread blocked reading ``conn`` (closing alone does not interrupt a blocked read)."""
    s = conn.sock
    if s is not None:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def error_from(status: int, payload: bytes) -> PilotError:
    try:
        e = json.loads(payload)["error"]
        return PilotError(str(e.get("code", "error")), str(e.get("message", "")), field=e.get("field"), status=status)
    except (ValueError, KeyError, TypeError, AttributeError):
        return PilotError("http_" + str(status), payload.decode("utf-8", "replace")[:500] or f"HTTP {status}", status=status)


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple, set)):
        return ",".join(str(x) for x in v)
    return str(v)
