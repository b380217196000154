"""Run a coroutine to completion from a synchronous test.

The browser tests' session-wide Playwright keeps an event loop running in the main
thread for the rest of the run, so asyncio.run() there fails in whichever test comes
after them; a worker thread of its own has no running loop. The caller's context
variables (Reflex's registration context among them) go along."""
from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor


def run(coro):
    context = contextvars.copy_context()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(context.run, asyncio.run, coro).result()
