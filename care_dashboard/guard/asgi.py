"""The guard: ASGI middleware in front of Streamlit's own server (app.py puts it there), for what
Streamlit leaves to the deployment (docs/security.md, "The server's own defences").

* ``/_stcore/stream`` (the websocket): frames larger than ``Limits.frame_bytes`` are refused
  where they are read, from their header, before their payload is held; each connection, and all
  connections of one client address together, may send only so many messages a second (a token
  bucket: faster senders wait, and a connection that never stops pushing is closed; only the
  warm-up of ``make serve``, presenting the key of this start, is not slowed); the
  session's id is noted so that what it holds is freed when it ends.
* ``PUT /_stcore/upload_file/SESSION/FILE``: refused before its body is read unless the app
  registered SESSION as one shown the Import page (``allow_uploads``), for the account now
  sending it; a file is held to the one upload limit of the browser's uploader.
* ``/media/ID.EXT`` (downloads): served only to the account whose session made the file, or to
  anyone when an anonymous session made it (``registry``).

The client's address is the one uvicorn gives (``scope["client"]``): behind Caddy, the
``X-Forwarded-For`` Caddy sets, which uvicorn trusts from loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, cast

from .. import access, settings, signouts
from . import identity, limits, sessions
from .buckets import Bucket, Buckets, Flood
from .registry import REGISTRY, Registry, UploadGrant

if TYPE_CHECKING:
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

log = logging.getLogger(__name__)

STREAM_PATH = "/_stcore/stream"
UPLOAD_PATH = re.compile(r"^/_stcore/upload_file/(?P<session>[^/]+)/(?P<file>[^/]+)$")
MEDIA_PATH = re.compile(r"^/media/(?P<name>[^/]+)$")
CLOSE_TOO_BIG, CLOSE_POLICY = 1009, 1008
# a session's first run starts with the message that names it; a connection whose first messages
# do not (a resumed session) named its session when it opened
LOOK_FOR_SESSION_ID_IN = 20
# a message handed over this fast was queued already: the sender did not wait to be asked
BACKLOGGED_S = 0.002


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    from starlette.requests import cookie_parser

    return cookie_parser(headers.get("cookie", ""))


def request_origin(scope, headers: dict[str, str]) -> str | None:
    """scheme://host[:port] of a request as the browser made it (behind Caddy, the scheme is the
    X-Forwarded-Proto uvicorn trusts from loopback)."""
    host = headers.get("host")
    if not host:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme"), scope.get("scheme") or "http")
    return f"{scheme}://{host}"


def _is_warm_up(headers: dict[str, str]) -> bool:
    """Whether a websocket is ``make serve``'s own warm-up (deploy/warm.py): it presents the key
    this start gave the workers and the warm-up alone (settings.warm_key). It asks for one view at
    a time, so the message rate a visitor is held to would only make the room's first views wait
    for it (each worker's warm-up took about a minute at 6 views a second)."""
    key = settings.warm_key()
    given = headers.get(settings.WARM_KEY_HEADER, "")
    return key is not None and hmac.compare_digest(given.encode(), key.encode())


async def _respond(send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def cap_frames(receive, max_bytes: int) -> bool:
    """Make the websocket protocol that feeds ``receive`` refuse frames over ``max_bytes`` as their
    header arrives (close 1009), before reading their payload. uvicorn sets one size for every
    connection from Streamlit's server.maxMessageSize (200 MB, the size of the server's own
    messages to the browser); a browser's messages are a few kilobytes. True when it could."""
    protocol = getattr(receive, "__self__", None)
    conn = getattr(protocol, "conn", None)  # uvicorn's websockets-sansio protocol (Streamlit's choice)
    if conn is not None and hasattr(conn, "max_message_size"):
        conn.max_message_size = min(conn.max_message_size or max_bytes, max_bytes)
        return True
    if protocol is not None and hasattr(protocol, "max_size"):  # uvicorn's legacy websockets protocol
        protocol.max_size = min(protocol.max_size or max_bytes, max_bytes)
        return True
    return False


def stop_reading(receive) -> None:
    """Close a connection the guard has closed at once, without reading what its sender still
    has queued: a flood's backlog would otherwise be read and dropped frame by frame while the
    closing handshake waits, holding the event loop for seconds."""
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is not None:
        transport.close()


def may_upload(grant: UploadGrant | None, who: signouts.Identity | None) -> bool:
    """An upload to a session is taken only when the app registered the session as one shown the
    Import page, and, with a login, while the request comes from that same account, still current,
    and still an importer (roles are read again: the access file may have changed)."""
    if grant is None:
        return False
    if grant.account is None:  # no login configured: the one user of `make run` on this machine
        return True
    if who is None or identity.current_account(who) != grant.account:
        return False
    return access.visitor(who.claims, login=True, serving=settings.serving(),
                          issued_at=who.issued_at).may_import(settings.import_page_enabled())


class Guard:
    def __init__(self, app, limits_: limits.Limits = limits.DEFAULT, registry: Registry = REGISTRY):
        self.app = app
        self.limits = limits_
        self.registry = registry
        self.clients = Buckets(limits_.client_rate, limits_.client_burst)
        self._uncapped_warned = False

    async def __call__(self, scope, receive, send) -> None:
        kind, path = scope["type"], scope.get("path", "")
        if kind == "websocket" and path == STREAM_PATH:
            await self.websocket(scope, receive, send)
        elif kind == "http" and scope["method"] == "PUT" and (m := UPLOAD_PATH.match(path)):
            await self.upload(scope, receive, send, m["session"], m["file"])
        elif kind == "http" and scope["method"] in ("GET", "HEAD") and (m := MEDIA_PATH.match(path)):
            await self.media(scope, receive, send, m["name"])
        else:
            await self.app(scope, receive, send)

    # ---- the websocket ----------------------------------------------------------------------

    async def websocket(self, scope, receive, send) -> None:
        if not cap_frames(receive, self.limits.frame_bytes) and not self._uncapped_warned:
            self._uncapped_warned = True
            log.warning("websocket frames cannot be capped before they are read with this server; "
                        "frames over %d bytes are closed after reading", self.limits.frame_bytes)
        headers = _headers(scope)
        protocols = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]
        xsrf_token = protocols[1] if len(protocols) > 1 and protocols[1] else None
        session_ids = {protocols[2]} if len(protocols) > 2 and protocols[2] else set()
        claims = identity.websocket_claims(_cookies(headers), headers, xsrf_token)
        client = (scope.get("client") or ("unknown", 0))[0]
        unlimited = _is_warm_up(headers)
        own = Bucket.full(self.limits.connection_rate, self.limits.connection_burst, time.monotonic())
        flood = Flood(self.limits.close_flood_after_s)
        closed = False
        looking = LOOK_FOR_SESSION_ID_IN  # the server's first messages, for the session's id

        async def close(code: int) -> dict:
            nonlocal closed
            closed = True
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": code})
            stop_reading(receive)
            return {"type": "websocket.disconnect", "code": code}

        async def guarded_receive() -> dict:
            asked = time.monotonic()
            message = await receive()
            if closed or message["type"] != "websocket.receive":
                return message
            data = message.get("bytes") or message.get("text") or b""
            if len(data) > self.limits.frame_bytes:  # a server whose frames could not be capped
                return await close(CLOSE_TOO_BIG)
            if unlimited:
                return message
            now = time.monotonic()
            wait = max(own.take(now), self.clients.take(client, now))
            if flood.note(now - asked < BACKLOGGED_S, wait, now):
                log.warning("closed a websocket from %s: it kept sending faster than it may for %g s",
                            client, self.limits.close_flood_after_s)
                return await close(CLOSE_POLICY)
            if wait > 0:
                # the next frames stay in the socket meanwhile: uvicorn reads no further until this
                # one is taken, so the sender is slowed down by its own TCP connection
                await asyncio.sleep(wait)
            return message

        async def guarded_send(message: dict) -> None:
            nonlocal looking
            if closed:
                return  # closed by the guard: Streamlit's last messages go nowhere
            if looking and message["type"] == "websocket.send" and message.get("bytes"):
                looking -= 1
                found = _new_session_id(message["bytes"])
                if found:
                    session_ids.add(found)
                    looking = 0
            await send(message)

        token = sessions.CONNECTION_CLAIMS.set(claims)
        try:
            await self.app(scope, guarded_receive, guarded_send)
        finally:
            sessions.CONNECTION_CLAIMS.reset(token)
            self._release_later(session_ids)

    def _release_later(self, session_ids: set[str]) -> None:
        from streamlit import runtime

        if not session_ids or not runtime.exists():
            return
        rt = runtime.get_instance()
        delay = sessions.session_ttl_s() + self.limits.sweep_margin_s
        loop = asyncio.get_running_loop()
        for sid in session_ids:
            loop.call_later(delay, sessions.release, rt, sid, self.registry)

    # ---- uploads ----------------------------------------------------------------------------

    async def upload(self, scope, receive, send, session_id: str, file_name: str) -> None:
        headers = _headers(scope)
        who = identity.request_identity(_cookies(headers), request_origin(scope, headers))
        if not may_upload(self.registry.upload_grant(session_id), who):
            # before a byte of the body is read
            await _respond(send, 403, "Files are taken only from the Import page, by a visitor who may import.")
            return
        body_cap = limits.upload_body_bytes()
        try:
            declared = int(headers.get("content-length", "0") or 0)
        except ValueError:
            declared = 0
        if declared > body_cap:
            await _respond(send, 413, "File too large")
            return
        received, started = 0, time.monotonic()
        idle_s, min_rate = self.limits.upload_idle_s, self.limits.upload_min_bytes_per_s

        async def counted_receive() -> dict:
            nonlocal received
            # a body that stalls, or trickles under the minimum rate, is cut: it would hold a
            # connection, a file descriptor and the part already read
            allowance = idle_s + received / min_rate - (time.monotonic() - started)
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, min(idle_s, allowance)))
            except TimeoutError:
                from starlette.exceptions import HTTPException

                log.warning("cut an upload that stalled or trickled (%d bytes in %.0f s)",
                            received, time.monotonic() - started)
                raise HTTPException(status_code=408, detail="The upload stopped coming.") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > body_cap:
                    from starlette.exceptions import HTTPException

                    raise HTTPException(status_code=413, detail="File too large")
            return message

        replaced = False

        async def checked_send(message: dict) -> None:
            nonlocal replaced
            if replaced:
                return
            if message["type"] == "http.response.start" and message["status"] == 204 and _too_large(session_id, file_name):
                replaced = True
                await _respond(send, 413, "File too large")
                return
            await send(message)

        await self.app(scope, counted_receive, checked_send)

    # ---- downloads --------------------------------------------------------------------------

    async def media(self, scope, receive, send, name: str) -> None:
        headers = _headers(scope)
        who = identity.request_identity(_cookies(headers), request_origin(scope, headers))
        # a private file only to its account, and only while that login holds (not logged out, not idle)
        if not self.registry.may_fetch(sessions.file_id(name), identity.current_account(who)):
            # the answer for a file that does not exist: an id says nothing about the file
            await _respond(send, 404, "File not found")
            return
        await self.app(scope, receive, send)


def _too_large(session_id: str, file_id: str) -> bool:
    """A file just stored for ``session_id`` over the one upload limit: removed again."""
    from streamlit import runtime

    # the server's own manager (it keeps uploads in memory); its protocol does not name remove_file
    uploads = cast("MemoryUploadedFileManager", runtime.get_instance().uploaded_file_mgr)
    stored = uploads.get_files(session_id, [file_id])
    if stored and len(stored[0].data) > limits.upload_file_bytes():
        uploads.remove_file(session_id, file_id)
        return True
    return False


def _new_session_id(payload: bytes) -> str | None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        msg = ForwardMsg.FromString(payload)
    except Exception:  # not a ForwardMsg: not the one looked for
        return None
    if msg.WhichOneof("type") == "new_session":
        return msg.new_session.initialize.session_id or None
    return None


@asynccontextmanager
async def lifespan(app):
    """Streamlit's runtime is up: note whose each download is from now on."""
    from streamlit import runtime

    sessions.watch_media(runtime.get_instance().media_file_mgr)
    yield
