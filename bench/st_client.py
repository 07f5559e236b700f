"""A raw Streamlit client without a browser, for the flood probe (bench/probe_floods.py) and the
tests of the server's defences (tests/deploy/test_guard.py).

It speaks to a server as a browser's tab does: an HTTP request first, for the cookies
(Streamlit's XSRF cookie, Caddy's sticky ``care_worker``), then the websocket
``/_stcore/stream`` with those cookies, the page's ``Origin`` and the XSRF token as the second
``Sec-WebSocket-Protocol`` entry, ``BackMsg`` protobufs out and ``ForwardMsg`` protobufs back
(``streamlit.proto``), and uploads as ``PUT /_stcore/upload_file/SESSION/FILE`` with the
``X-Xsrftoken`` header. ``source`` picks the local address a client connects from (any of
127.0.0.0/8 on Linux), so a test can be two clients on one machine.
"""

from __future__ import annotations

import asyncio
import http.client
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def set_cookies(self) -> list[str]:
        return [v for k, v in self.headers if k.lower() == "set-cookie"]


@dataclass
class Client:
    """One browser: its cookies for one server, and the local address it connects from."""

    base_url: str
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def xsrf(self) -> str | None:
        return self.cookies.get("_streamlit_xsrf")

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 30.0) -> Answer:
        """One HTTP request with this client's cookies; the answer's cookies are kept."""
        split = urlsplit(self.base_url)
        conn = http.client.HTTPConnection(split.hostname, split.port, timeout=timeout, source_address=(self.source, 0))
        sent = {"Cookie": self.cookie_header(), **(headers or {})} if self.cookies else dict(headers or {})
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            answer = Answer(response.status, response.getheaders(), data, time.perf_counter() - started)
        finally:
            conn.close()
        for cookie in answer.set_cookies():
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return answer

    def get(self, path: str = "/", timeout: float = 30.0) -> Answer:
        return self.request("GET", path, timeout=timeout)

    def upload(self, session_id: str, data: bytes, name: str = "sheet.csv", timeout: float = 120.0) -> Answer:
        """The upload a file uploader makes: one multipart PUT with the XSRF header."""
        boundary = uuid.uuid4().hex
        body = b"".join([
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode(), data, f"\r\n--{boundary}--\r\n".encode()])
        return self.request("PUT", f"/_stcore/upload_file/{session_id}/{uuid.uuid4()}", body=body, timeout=timeout,
                            headers={"X-Xsrftoken": self.xsrf or "",
                                     "Content-Type": f"multipart/form-data; boundary={boundary}"})

    async def websocket(self, timeout: float = 30.0, max_size: int | None = None) -> ClientConnection:
        """The session's websocket, as the browser opens it (cookies, Origin, XSRF token)."""
        if not self.cookies:
            await asyncio.to_thread(self.get, "/_stcore/health")
        protocols = ["streamlit", self.xsrf] if self.xsrf else ["streamlit"]
        return await connect(f"ws://{self.host}/_stcore/stream", subprotocols=protocols, origin=self.base_url,
                             additional_headers={"Cookie": self.cookie_header()}, open_timeout=timeout,
                             max_size=max_size, ping_interval=None, local_addr=(self.source, 0),
                             compression=None)


def rerun_message(query_string: str = "", page_name: str = "") -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query_string
    msg.rerun_script.page_name = page_name
    return msg.SerializeToString()


@dataclass
class Session:
    ws: ClientConnection
    session_id: str
    first_answer_s: float  # from the rerun request to the run's first message (new_session)
    finished_s: float | None  # to its script_finished; None when not waited for
    elements: int = 0


async def open_session(client: Client, wait_finished: bool = True, timeout: float = 60.0,
                       query_string: str = "") -> Session:
    """A new session: the websocket and its first run, read up to new_session (and to
    script_finished with ``wait_finished``)."""
    started = time.perf_counter()
    ws = await client.websocket(timeout=timeout)
    try:
        await ws.send(rerun_message(query_string))
        session_id, first, elements = None, None, 0
        async with asyncio.timeout(timeout):
            while True:
                fwd = ForwardMsg.FromString(await ws.recv())
                kind = fwd.WhichOneof("type")
                if kind == "new_session" and session_id is None:
                    session_id, first = fwd.new_session.initialize.session_id, time.perf_counter() - started
                    if not wait_finished:
                        return Session(ws, session_id, first, None)
                elif kind == "delta":
                    elements += 1
                elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return Session(ws, session_id, first, time.perf_counter() - started, elements)
    except BaseException:
        await ws.close()
        raise


async def drain(ws: ClientConnection) -> None:
    """Read and drop what the server sends, as long as the socket is open."""
    try:
        async for _ in ws:
            pass
    except Exception:  # closed by either side: nothing more to read
        pass
