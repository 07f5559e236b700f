"""The Import page's side of the server's guard (care_dashboard/guard): a worker takes uploaded
files only for a session the app has shown the Import page to, and only from that visitor."""

from __future__ import annotations

from streamlit.runtime.scriptrunner import get_script_run_ctx

from . import settings, ui_access
from .guard import identity
from .guard.registry import REGISTRY, UploadGrant


def accept_uploads() -> bool:
    """Let this session upload files, if its visitor may import (the Import page calls this when it
    is shown). With a login, only requests of the same account are taken; without one (``make
    run``, one user on this machine), the session's. True when uploads are accepted."""
    who = ui_access.current_visitor()
    ctx = get_script_run_ctx()
    if ctx is None or not who.may_import(settings.import_page_enabled()):
        return False
    account = identity.account(ctx.user_info) if who.login else None
    if who.login and account is None:
        return False
    REGISTRY.allow_uploads(UploadGrant(ctx.session_id, account, who.email))
    return True
