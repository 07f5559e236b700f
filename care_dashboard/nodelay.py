"""Streamlit's server sends each message as soon as it is written (TCP_NODELAY), as asyncio means
every TCP server to.

asyncio turns Nagle's algorithm off on each connection it accepts, but only when the listening
socket says it is TCP by its protocol number (``asyncio.base_events._set_nodelay`` checks
``sock.proto == IPPROTO_TCP``). Streamlit's server (1.67, ``streamlit run``) binds its listening
socket itself with ``socket.socket(family=...)``, whose protocol number is 0, and hands it to
uvicorn: every connection then keeps Nagle's algorithm. A rerun's answer is many small websocket
messages; after the first, each small write waits for the browser's acknowledgement, which a
receiver delays by 40 ms on Linux (200 ms on Windows). The same delay is known in uvicorn for any
socket bound beforehand (uvicorn issue #3149, "--workers N loses TCP_NODELAY").

Measured on this machine (docs/performance.md, "Nagle's delay"): a rerun of a page already built
took 48 ms through the websocket, of which about 40 ms was that wait; with this, 8 ms.

``install()`` (called by app.py, before uvicorn starts serving) widens asyncio's check to a TCP
socket whose protocol number is 0, which is what such a socket is. It changes nothing else, and
nothing when the socket already said it was TCP.
"""

from __future__ import annotations

import socket
from asyncio import base_events

_TCP_FAMILIES = {socket.AF_INET, socket.AF_INET6}


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in _TCP_FAMILIES and sock.type == socket.SOCK_STREAM and sock.proto in (0, socket.IPPROTO_TCP):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def install() -> None:
    """Every TCP connection asyncio accepts or opens from now on, in this process, has Nagle's
    algorithm off. Safe to call more than once."""
    base_events._set_nodelay = _set_nodelay  # type: ignore[attr-defined]
