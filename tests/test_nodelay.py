"""The dashboard's server sends each answer at once: a connection it accepts has Nagle's algorithm
off (care_dashboard/nodelay.py). Streamlit binds its listening socket without a protocol number,
and asyncio then leaves Nagle's algorithm on, so each rerun waited on the browser's delayed
acknowledgement (40 ms on Linux)."""

import asyncio
import importlib
import socket

from streamlit.web.server.starlette import starlette_server

from tests import event_loop


async def _accepted_nodelay(listener: socket.socket) -> int:
    """TCP_NODELAY of the server's end of one connection made to ``listener`` by asyncio."""
    seen: asyncio.Future = asyncio.get_running_loop().create_future()

    class Report(asyncio.Protocol):
        def connection_made(self, transport):
            sock = transport.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Report, sock=listener)
    try:
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(seen, 10)
        writer.close()
        return value
    finally:
        server.close()
        await server.wait_closed()


def test_the_dashboard_s_server_accepts_connections_with_nagle_off():
    importlib.import_module("app")  # what `streamlit run app.py` loads before it serves
    # the listening socket as Streamlit's server binds it (protocol number 0)
    listener = starlette_server._bind_socket("127.0.0.1", 0, 8)
    assert listener.proto == 0
    assert event_loop.run(_accepted_nodelay(listener)) == 1


def test_a_socket_that_says_it_is_tcp_keeps_nagle_off_and_other_sockets_are_left_alone():
    from care_dashboard import nodelay

    nodelay.install()
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        for sock in (tcp, udp, unix):
            asyncio.base_events._set_nodelay(sock)  # type: ignore[attr-defined]
        assert tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for sock in (tcp, udp, unix):
            sock.close()
