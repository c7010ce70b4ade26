"""How the app is assembled: every route comes from a module kb.views.routes() names, no view
module imports another in a circle, and the admin index links only to real pages."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import kb
from kb import views

KB_ROOT = Path(kb.__file__).parent


def test_every_route_comes_from_a_module_its_blueprint_lists(app):
    listed = {blueprint.name: {module.__name__ for module in modules}
              for blueprint, modules in views.routes().items()}
    assert set(listed) == set(app.blueprints)
    strays = sorted(
        (endpoint, function.__module__) for endpoint, function in app.view_functions.items()
        if "." in endpoint and function.__module__ not in listed[endpoint.split(".")[0]])
    assert not strays, f"routes added by modules kb.views.routes() does not list: {strays}"
    for blueprint, modules in views.routes().items():
        assert modules[0].bp is blueprint, f"{blueprint.name}: its own module comes first"


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Return the kb modules ``path`` imports anywhere (function bodies too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found & modules


def _cycle_through(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """Return a path of imports that leads from ``start`` back to it, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        name, path = stack.pop()
        for target in graph[name]:
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_no_view_module_takes_part_in_an_import_circle():
    paths = {".".join(("kb", *p.relative_to(KB_ROOT).with_suffix("").parts))
             .removesuffix(".__init__"): p for p in KB_ROOT.rglob("*.py")}
    graph = {name: _imports(path, set(paths)) - {name} for name, path in paths.items()}
    circles = [cycle for name in sorted(paths) if name.startswith("kb.views")
               if (cycle := _cycle_through(name, graph))]
    assert not circles, f"import circles: {circles[:3]}"


def test_the_graph_helper_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle_through("a", graph) == ["a", "b", "c", "a"]
    assert _cycle_through("d", graph) is None


def test_every_link_on_the_admin_index_opens_for_an_admin(client, make_user, login):
    login(make_user(role="admin"))
    html = client.get("/admin/").get_data(as_text=True)
    listing = re.search(r'<ul class="admin-links">(.*?)</ul>', html, re.S)
    assert listing, "no list of admin pages"
    links = re.findall(r'href="([^"]+)"', listing.group(1))
    assert len(links) == len(set(links)) >= 6
    for link in links:
        # A page of this site (the review queue, for one, is not under /admin/).
        assert link.startswith("/"), link
        assert not link.startswith("//"), link
        response = client.get(link)
        assert response.status_code == 200, link
        assert "<h1" in response.get_data(as_text=True), link


def test_the_admin_index_is_for_admins_only(client, make_user, login):
    login(make_user(role="reviewer"))
    assert client.get("/admin/").status_code == 403
