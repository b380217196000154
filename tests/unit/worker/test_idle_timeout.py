"""The real worker closes connections that stall half-way through a request."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, start_worker, stop_worker

TIMEOUT = 1.5  # the test worker's --idle-timeout; the default (30 s) is checked below


@pytest.fixture(scope="module")
def quick_worker(tmp_path_factory):
    w = start_worker(tmp_path_factory.mktemp("idle"), token=secrets.token_urlsafe(32),
                     extra_args=("--idle-timeout", str(TIMEOUT)))
    yield w
    stop_worker(w)


def _closed_after(sock: socket.socket, limit: float) -> float | None:
    """Seconds until the server closes the socket (recv returns b""), or None."""
    t0 = time.monotonic()
    sock.settimeout(limit)
    try:
        while True:
            if sock.recv(4096) == b"":
                return time.monotonic() - t0
    except (TimeoutError, socket.timeout):
        return None
    except ConnectionResetError:
        return time.monotonic() - t0


def _connect(worker) -> socket.socket:
    host, port = worker.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


@pytest.mark.parametrize("partial", [
    b"",                                                         # connected, said nothing
    b"POST /v1/score HTTP/1.1\r\nHost: worker\r\n",              # half the headers
    b"POST /v1/score HTTP/1.1\r\nHost: worker\r\nContent-Type: application/json\r\n"
    b"Content-Length: 500\r\n\r\n{\"request_id\": ",             # headers, half the body
])
def test_half_sent_request_is_closed_after_the_idle_timeout(quick_worker, partial):
    with _connect(quick_worker) as sock:
        sock.sendall(partial)
        # still open well before the timeout...
        assert _closed_after(sock, TIMEOUT * 0.5) is None
        # ...and closed by the server soon after it
        assert _closed_after(sock, TIMEOUT * 3) is not None


def test_a_slow_but_active_client_is_not_cut_off(quick_worker):
    body = (b'{"request_id": "slow-1", "question": "q", "answer": "I listened to the customer.", '
            b'"competencies": [{"key": "c", "name": "Communication", "anchors": '
            b'{"1": "Does not listen.", "3": "Listens.", "5": "Listens and confirms."}}]}')
    head = (f"POST /v1/score HTTP/1.1\r\nHost: worker\r\nAuthorization: Bearer {quick_worker.token}"
            f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with _connect(quick_worker) as sock:
        sock.sendall(head)
        # total time well over the timeout, but never silent for as long as it
        for k in range(0, len(body), len(body) // 4 + 1):
            time.sleep(TIMEOUT * 0.5)
            sock.sendall(body[k:k + len(body) // 4 + 1])
        sock.settimeout(30)
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]


def test_the_default_idle_timeout_is_30_seconds():
    out = subprocess.run([sys.executable, "-m", "scoring_worker", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=30, check=True).stdout
    assert "--idle-timeout" in out and "(default: 30.0)" in out
