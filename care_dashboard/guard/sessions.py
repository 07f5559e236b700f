"""The guard's hold on Streamlit's runtime in a worker: whose each download file is, and what is
freed when a session ends.

* Downloads. Streamlit stores a download (``st.download_button``: the CSV exports, the offline
  briefing) as a media file named by a hash of its content and serves it at ``/media/ID.EXT`` to
  anyone who asks. The media file manager's two ways in are wrapped here so that every file's
  maker is noted in the guard's registry: ``add`` runs in a session's script thread, which knows
  its login (``user_info``); ``execute_deferred`` (a download made when its button is pressed)
  runs in a thread of its own, reached from the websocket that asked for it, whose login the
  guard's middleware put in ``CONNECTION_CLAIMS`` (a context variable, which asyncio carries into
  the tasks and threads the request starts).
* Ended sessions. Streamlit keeps a closed session for ``server.disconnectedSessionTTL`` seconds
  so that a reconnecting browser resumes it, then forgets it without shutting it down: its
  uploaded files and download references stayed in memory for good. ``release`` frees them once
  that time is over and no connection took the session back.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
from contextvars import ContextVar

from . import identity
from .registry import PUBLIC, REGISTRY, Registry

log = logging.getLogger(__name__)

# the login claims of the websocket a task or thread works for ({} when anonymous; unset outside one)
CONNECTION_CLAIMS: ContextVar[dict | None] = ContextVar("care_connection_claims", default=None)


def file_id(url_or_name: str) -> str:
    """The media file id of a URL (/media/ID.EXT) or a file name (ID.EXT)."""
    return os.path.splitext(url_or_name.rsplit("/", 1)[-1])[0]


def owner(claims) -> str | None:
    """The owner a file made with these claims gets: the account, PUBLIC when anonymous, None
    when not known."""
    if claims is None:
        return None
    return identity.account(claims) or PUBLIC


def script_run_claims() -> dict | None:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else dict(ctx.user_info)


def watch_media(media_mgr, registry: Registry = REGISTRY) -> None:
    """Note the maker of every media file ``media_mgr`` stores, and forget the files it deletes."""
    if getattr(media_mgr, "_care_guarded", False):
        return
    add, execute_deferred, remove_orphaned = media_mgr.add, media_mgr.execute_deferred, media_mgr.remove_orphaned_files

    def guarded_add(*args, **kwargs) -> str:
        url = add(*args, **kwargs)
        registry.add_owner(file_id(url), owner(script_run_claims()))
        return url

    def guarded_execute_deferred(placeholder_id: str) -> str:
        url = execute_deferred(placeholder_id)
        registry.add_owner(file_id(url), owner(CONNECTION_CLAIMS.get()))
        return url

    def guarded_remove_orphaned_files() -> None:
        remove_orphaned()
        registry.drop_files(lambda f: media_mgr.read_file(f) is not None)

    media_mgr.add = guarded_add
    media_mgr.execute_deferred = guarded_execute_deferred
    media_mgr.remove_orphaned_files = guarded_remove_orphaned_files
    media_mgr._care_guarded = True


def _trim_heap() -> None:
    """Give freed memory back to the system (glibc keeps large freed blocks otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def release(runtime, session_id: str, registry: Registry = REGISTRY) -> bool:
    """Free what a session holds (uploaded files, download references, table sources) once it has
    ended: closed, and not resumed by any connection. Runs on the event loop. True if it ended."""
    if runtime.is_active_session(session_id):
        return False
    with contextlib.suppress(Exception):  # already gone from Streamlit's storage: nothing to shut down
        runtime.close_session(session_id)
    uploads = runtime.uploaded_file_mgr
    held = getattr(uploads, "file_storage", {}).get(session_id)
    uploads.remove_session_files(session_id)
    runtime.media_file_mgr.clear_session_refs(session_id)
    runtime.media_file_mgr.remove_orphaned_files()
    with contextlib.suppress(Exception):
        runtime.dataframe_source_mgr.clear_all_for_session(session_id)
    registry.forget_session(session_id)
    if held:
        _trim_heap()
        log.info("freed the uploads of ended session %s", session_id[:8])
    return True


def session_ttl_s() -> float:
    from streamlit import config

    return float(config.get_option("server.disconnectedSessionTTL"))
