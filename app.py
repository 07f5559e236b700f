"""The dashboard as its server runs it: Streamlit's own server for dashboard.py, with the guard's
ASGI middleware in front (care_dashboard/guard; docs/security.md, "The server's own defences").

Run with:  streamlit run app.py   (`make run`; `make serve` starts each worker so)

Streamlit finds ``app`` here and serves dashboard.py through it (an ``st.App``, Streamlit's own
way to add ASGI middleware to its Starlette server). Page tests run dashboard.py directly.
"""

from starlette.middleware import Middleware
from streamlit.starlette import App

from care_dashboard import nodelay
from care_dashboard.guard import asgi

# every answer leaves at once, not after the browser's delayed acknowledgement (care_dashboard/nodelay.py)
nodelay.install()

app = App("dashboard.py", middleware=[Middleware(asgi.Guard)], lifespan=asgi.lifespan)
