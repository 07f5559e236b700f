"""The figures of the server's defences, in one place (docs/security.md, "Limits").

Each figure is what the app needs with a margin, measured (see docs/security.md for the
measurements): a person at a browser never meets them; a script flooding the server does.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from .. import paths

MB = 1000 * 1000  # the unit of server.maxUploadSize as the browser's uploader reads it ("10MB")
KIB = 1024


def upload_limit_mb(config_file=None) -> int:
    """``server.maxUploadSize`` of .streamlit/config.toml: megabytes of 1,000,000 bytes, as the
    browser's file uploader counts them and shows them ("10MB per file")."""
    path = config_file or paths.ROOT / ".streamlit" / "config.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    return int(config.get("server", {}).get("maxUploadSize", 200))


# A multipart upload body is the file plus its framing (boundary lines, the part's headers with
# the file's name: a few hundred bytes); the proxy and the server's streaming check allow this
# much over the file's own limit, and the file itself is then held to the limit exactly.
MULTIPART_MARGIN_BYTES = 64 * KIB


@dataclass(frozen=True)
class Limits:
    # largest websocket frame a browser may send. The app's largest BackMsg is a rerun with every
    # widget's state, a few kilobytes (docs/security.md); the server's own messages to the
    # browser (figures, maps) keep Streamlit's server.maxMessageSize.
    frame_bytes: int = 256 * KIB
    # messages a second one websocket may send, and how many at once (a person's clicks, a
    # presenter's keys held down)
    connection_rate: float = 6.0
    connection_burst: float = 30.0
    # all websockets of one client address on one worker: a venue's phones share one address
    # behind its router, so this is a room's worth
    client_rate: float = 6.0
    client_burst: float = 100.0
    # a connection that has had its next message queued, and waiting, this long is closed
    close_flood_after_s: float = 15.0
    # an accepted upload's body must keep coming: no pause longer than this, and on average at
    # least upload_min_bytes_per_s after its first upload_idle_s (a 10 MB sheet at that rate takes
    # under three hours; a body dripping 100 bytes every 5 s is cut)
    upload_idle_s: float = 10.0
    upload_min_bytes_per_s: float = 1024.0
    # how long a worker keeps a session's uploads and downloads after its websocket closed:
    # Streamlit's server.disconnectedSessionTTL, after which the session cannot be resumed
    sweep_margin_s: float = 5.0


DEFAULT = Limits()


def upload_file_bytes() -> int:
    """The one upload limit per file, in bytes: what the browser refuses above, what the server
    refuses above, what the messages say."""
    return upload_limit_mb() * MB


def upload_body_bytes() -> int:
    """The most an upload request's body may hold (the proxy's limit and the server's streaming
    check): one file at the limit with its multipart framing."""
    return upload_file_bytes() + MULTIPART_MARGIN_BYTES
