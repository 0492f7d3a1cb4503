"""TLS from Python: the client pins the manager's certificate (``tls_fingerprint`` in ``access.json``).

A live manager (default: TLS on) serves the client over pinned HTTPS; a wrong fingerprint is refused
with a clear error before any request (the token above all) is written; an ``https`` URL needs a
fingerprint; a rotated token (``pilot manager rotate-token``) is picked up from ``access.json``.
"""
from __future__ import annotations

import hashlib
import json
import ssl
import subprocess

import pytest

from swiftpilot import Client, PilotError
from swiftpilot.transport import PinMismatchError, parse_fingerprint

from conftest import LiveCluster


def _peer_fingerprint(cluster: LiveCluster) -> str:
    """The certificate the manager actually presents, fetched without trusting it, hashed here."""
    pem = ssl.get_server_certificate((cluster.access["host"], int(cluster.access["port"])))
    return "sha256:" + hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def test_the_client_speaks_pinned_https(cluster: LiveCluster, client: Client) -> None:
    fp = cluster.access.get("tls_fingerprint")
    assert fp and fp.startswith("sha256:") and len(parse_fingerprint(fp)) == 32
    assert _peer_fingerprint(cluster) == fp
    assert client.url.startswith("https://")
    assert client.health()
    client.submit(["echo", "over tls"]).result(timeout=120)
    assert client.summary()["agents"] >= 1


def test_a_url_client_with_the_fingerprint_works(cluster: LiveCluster) -> None:
    c = Client(url=cluster.url, token=cluster.token, tls_fingerprint=cluster.access["tls_fingerprint"])
    try:
        assert c.summary()["agents"] >= 1
    finally:
        c.close()


def test_a_wrong_fingerprint_is_refused_before_the_token_is_sent(cluster: LiveCluster) -> None:
    wrong = "sha256:" + "ab" * 32
    c = Client(url=cluster.url, token=cluster.token, tls_fingerprint=wrong)
    try:
        with pytest.raises(PinMismatchError) as e:
            c.summary()
        assert e.value.code == "tls_pin_mismatch"
        assert wrong in str(e.value) and cluster.access["tls_fingerprint"] in str(e.value)
        assert "no token was sent" in str(e.value)
        # The event stream is pinned the same way.
        with pytest.raises(PinMismatchError):
            next(iter(c.transport.stream_lines("/v1/events", {"limit": 1})))
    finally:
        c.close()


def test_an_https_url_needs_a_fingerprint_and_a_bad_one_is_an_error(cluster: LiveCluster) -> None:
    with pytest.raises(PilotError) as e:
        Client(url=cluster.url, token=cluster.token)
    assert "tls_fingerprint" in str(e.value)
    with pytest.raises(PilotError) as e:
        Client(url=cluster.url, token=cluster.token, tls_fingerprint="sha256:nothex")
    assert e.value.code == "bad_fingerprint"


def test_an_access_file_with_another_fingerprint_is_refused(cluster: LiveCluster, tmp_path) -> None:
    forged = dict(cluster.access, tls_fingerprint="sha256:" + "00" * 32)
    f = tmp_path / "access.json"
    f.write_text(json.dumps(forged))
    f.chmod(0o600)
    c = Client(access_file=f)
    try:
        assert not c.health()
        with pytest.raises(PinMismatchError):
            c.summary()
    finally:
        c.close()


def test_a_rotated_token_is_picked_up_from_access_json(cluster_factory) -> None:
    c = cluster_factory(tag="py-rotate")
    client = c.client()
    try:
        before = client.summary()["agents"]
        old = c.token
        r = subprocess.run([c.bin, "manager", "rotate-token", "--server-dir", str(c.dir)], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        new = json.loads((c.dir / "access.json").read_text())["token"]
        assert new != old
        # The old token is refused by the API; this client re-reads access.json and carries on,
        # and the agent stayed connected.
        stale = Client(url=c.url, token=old, tls_fingerprint=c.access["tls_fingerprint"])
        try:
            with pytest.raises(PilotError) as e:
                stale.summary()
            assert e.value.code == "unauthorized"
        finally:
            stale.close()
        assert client.summary()["agents"] == before
        client.submit(["true"]).result(timeout=120)
    finally:
        client.close()
