"""What the production code may import, read from its source (no module is imported here).

- Production code (the app's package care_dashboard, the pages, the entry scripts, deploy/)
  imports nothing from bench/: the benchmarks may use production code, never the other way.
- It uses Streamlit through its public API (``import streamlit as st``, ``st.App``, and the wire
  protocol ``streamlit.proto`` that the guard and the warm-up's client speak). The few internals
  it needs are listed in ``KNOWN_INTERNALS``, each with why; any other one fails here. The shell
  and its navigation touch no private attribute either.
- The modules of care_dashboard import each other without a cycle, counting imports made inside
  functions (an import moved into a function to dodge a cycle is still a cycle); imports made
  only for type checkers (``if TYPE_CHECKING:``) never run and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

from care_dashboard import paths

ROOT = paths.ROOT
PACKAGE = "care_dashboard"
PRODUCTION = [ROOT / "app.py", ROOT / "dashboard.py",
              *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "deploy").glob("*.py")),
              *sorted((ROOT / PACKAGE).rglob("*.py"))]

# Streamlit's public API for this code: ``streamlit`` itself, then the modules it may import from
PUBLIC_STREAMLIT = ("streamlit", "streamlit.starlette", "streamlit.proto")

# (file, what it imports) -> why it may
_GUARD = "the guard's ASGI middleware works inside Streamlit's server, beside its own checks (docs/security.md)"
KNOWN_INTERNALS = {
    ("care_dashboard/ui_uploads.py", "streamlit.runtime.scriptrunner.get_script_run_ctx"):
        "the session's id and login, for the guard's upload grant",
    ("care_dashboard/guard/sessions.py", "streamlit.runtime.scriptrunner_utils.script_run_context.get_script_run_ctx"):
        _GUARD,
    ("care_dashboard/guard/sessions.py", "streamlit.config"): _GUARD,
    ("care_dashboard/guard/asgi.py", "streamlit.runtime"): _GUARD,
    ("care_dashboard/guard/identity.py", "streamlit.web.server.server_util.get_cookie_secret"): _GUARD,
    ("care_dashboard/guard/identity.py", "streamlit.web.server.server_util.is_xsrf_enabled"): _GUARD,
    ("care_dashboard/guard/identity.py", "streamlit.web.server.starlette.starlette_app_utils.validate_xsrf_token"):
        _GUARD,
}


def _module_of(path: Path, root: Path = ROOT) -> str | None:
    """The dotted name of a file of care_dashboard (a package's __init__.py names the package)."""
    try:
        parts = list(path.relative_to(root).with_suffix("").parts)
    except ValueError:
        return None
    if parts[0] != PACKAGE:
        return None
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST):
    """Every import statement, at any depth, but those under ``if TYPE_CHECKING:``."""
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        todo.extend(ast.iter_child_nodes(node))


def imported_names(path: Path, root: Path = ROOT) -> set[str]:
    """What the file imports, as dotted names: ``import a.b`` gives ``a.b``; ``from a.b import c``
    gives ``a.b.c``; a relative import is resolved against the file's package (under ``root``)."""
    module = _module_of(path, root)
    package = (module if path.name == "__init__.py" else module.rpartition(".")[0]) if module else ""
    found = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([base] if base else [])])
        found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_production_code_imports_nothing_from_bench():
    found = sorted((str(p.relative_to(ROOT)), name) for p in PRODUCTION for name in imported_names(p)
                   if _under(name, "bench"))
    assert found == []


def test_production_code_uses_streamlit_internals_only_where_listed():
    used = set()
    for path in PRODUCTION:
        for name in imported_names(path):
            if _under(name, "streamlit") and name not in PUBLIC_STREAMLIT[:1] and not any(
                    _under(name, public) for public in PUBLIC_STREAMLIT[1:]):
                used.add((str(path.relative_to(ROOT)), name))
    unlisted = sorted(used - set(KNOWN_INTERNALS))
    assert unlisted == [], "a Streamlit internal: use its public API, or list it in KNOWN_INTERNALS with why"
    assert sorted(set(KNOWN_INTERNALS) - used) == [], "listed but no longer used: drop it from KNOWN_INTERNALS"


def test_the_navigation_reads_and_sets_no_private_attribute():
    """The shell and its navigation (dashboard.py, app.py, care_dashboard/ui_nav.py and
    site_pages.py) use Streamlit's objects by their public names: no ``page._script_hash``, no
    ``PagesManager.uses_pages_directory = False``."""
    private = []
    for path in (ROOT / "dashboard.py", ROOT / "app.py", ROOT / PACKAGE / "ui_nav.py", ROOT / PACKAGE / "site_pages.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.endswith("__"):
                private.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert private == []


def import_graph() -> dict[str, set[str]]:
    """care_dashboard's modules -> the modules of care_dashboard each imports (with the packages
    Python runs on the way: importing a.b.c runs a and a.b first)."""
    files = {_module_of(p): p for p in (ROOT / PACKAGE).rglob("*.py")}
    graph = {}
    for module, path in files.items():
        targets = set()
        for name in imported_names(path):
            if not _under(name, PACKAGE):
                continue
            parts = name.split(".")
            while parts and ".".join(parts) not in files:
                parts.pop()  # ``from .x import some_function``: the module is x
            for i in range(1, len(parts) + 1):
                targets.add(".".join(parts[:i]))
        # a submodule's own packages are already being imported when it runs (a package that
        # gathers its submodules' names in its __init__ is not a cycle)
        ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        graph[module] = targets - {module} - ancestors
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of ``graph``: one path round each strongly connected group of modules."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_modules_of_care_dashboard_import_each_other_without_a_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_cycles_and_only_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_are_read_inside_functions_and_relative_ones_resolved(tmp_path):
    folder = tmp_path / PACKAGE / "sub"
    folder.mkdir(parents=True)
    source = folder / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "from ..store import publish\n"
        "import bench.load\n"
        "if TYPE_CHECKING:\n"
        "    from ..ui import PageContext\n"
        "def later():\n"
        "    from .. import datasets\n"
        "    from streamlit.runtime.pages_manager import PagesManager\n",
        encoding="utf-8",
    )
    names = imported_names(source, tmp_path)
    assert names == {"typing.TYPE_CHECKING", "care_dashboard.sub.sibling", "care_dashboard.store.publish",
                     "bench.load", "care_dashboard.datasets", "streamlit.runtime.pages_manager.PagesManager"}
