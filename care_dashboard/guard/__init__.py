"""The server's own defences, around Streamlit's server (app.py): what an anonymous visitor
cannot take from a worker (docs/security.md, "The server's own defences").

* ``asgi``: the ASGI middleware (websocket frame cap and rate limits, uploads only from the
  Import page, downloads only for their owner) and the app's lifespan hook;
* ``sessions``: what the guard notes in Streamlit's runtime (who made each download) and frees
  when a session ends;
* ``identity``: the login cookie's claims and account, and ``identity_is_current``, the one check
  of whether a logged-in identity still holds;
* ``registry``, ``buckets``, ``limits``: pure parts (who may upload, whose each file is, the token
  buckets, the figures).

Only ``asgi`` and ``sessions`` reach into Streamlit's server and runtime; the app's pages reach
the guard through ``care_dashboard/ui_uploads.py``.
"""
