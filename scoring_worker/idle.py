"""An h11 protocol that closes connections that stall half-way through a request.

uvicorn's own keep-alive timeout only runs *between* requests. A client that
opens a connection and sends part of a request (or nothing) and then goes
quiet would hold a socket forever; with enough of them the worker runs out of
descriptors (a slowloris attack). Here, whenever the client has not finished
sending its request, IDLE_TIMEOUT seconds without a byte from it close the
connection. While the worker is computing or sending a response, nothing is cut.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

IDLE_TIMEOUT = 30.0


class IdleTimeoutH11Protocol(H11Protocol):
    idle_timeout = IDLE_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._idle_timer: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        self._arm()
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = self.loop.call_later(self.idle_timeout, self._on_idle)

    def _on_idle(self) -> None:
        self._idle_timer = None
        if self.transport.is_closing():
            return
        if self.conn.their_state == h11.DONE:  # request complete: the response is on its way
            self._arm()
            return
        self.transport.close()


def protocol_with_timeout(seconds: float) -> type[IdleTimeoutH11Protocol]:
    return type("IdleTimeoutH11Protocol", (IdleTimeoutH11Protocol,), {"idle_timeout": seconds})
