"""Run a coroutine to its end from a synchronous test, whatever the test session holds.

The browser tests' Playwright (its sync API, one browser for the whole session) keeps an asyncio
event loop running on pytest's main thread, and ``asyncio.run`` refuses to start a loop where one
is running. A coroutine run here gets a thread and a loop of its own, so a test gives the same
answer alone or after the browser tests."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """``asyncio.run(coroutine)`` in a thread of its own; its result, or its exception raised here."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-event-loop") as pool:
        return pool.submit(asyncio.run, coroutine).result()
