"""HTTP to the manager: one keep-alive connection per thread, JSON in and out, errors as PilotError."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import urllib.parse
from typing import Any, Iterator, Optional

from .errors import PilotError


class Transport:
    """Talks to one manager at ``host:port`` with a bearer token."""

    def __init__(self, host: str, port: int, token: str, timeout: float = 90.0) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.timeout = timeout
        self._local = threading.local()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _connection(self) -> http.client.HTTPConnection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
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
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
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
        conn = http.client.HTTPConnection(self.host, self.port, timeout=None)
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
