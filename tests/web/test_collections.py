"""Featured collections through the pages: an admin builds, reorders (without JavaScript),
annotates and publishes a collection; it shows on the home page and on its members' pages;
archiving a member removes it from the public page while the admin sees it greyed out."""
from __future__ import annotations

import re

from tests.web.review_support import make_member, signed_in


def _item_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li id="item-(\d+)"', html)]


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"[^>]*>(?:<a [^>]*>)?([^<]+)', html)


def test_a_collection_is_built_reordered_published_and_archiving_drops_a_member(
        app, make_practice):
    ids = {title: make_practice(state="published", title=title, implemented_by=f"{title} team",
                                outcome=f"{title} worked.", countries=["KEN"])
           for title in ("Alpha scheme", "Beta scheme", "Gamma scheme")}
    make_practice(state="submitted", title="Pending scheme")
    admin = signed_in(app, make_member(app, role="admin", organization="Hub"))
    r = admin.post("/admin/collections/new", data={"title": "Domestic work showcase",
                                                   "intro": "Chosen for **June 16**."})
    assert r.status_code == 302
    edit_url = r.headers["Location"]
    assert edit_url.endswith("/admin/collections/domestic-work-showcase")
    for slug in ("alpha-scheme", "beta-scheme", "http://kb.test/practices/gamma-scheme"):
        assert admin.post(edit_url + "/items", data={"practice": slug}).status_code == 302
    r = admin.post(edit_url + "/items", data={"practice": "pending-scheme"})
    assert r.status_code == 422
    assert "Only published practices" in r.get_data(as_text=True) or "Not a published" in \
        r.get_data(as_text=True)

    page = admin.get(edit_url).get_data(as_text=True)
    assert _titles(page) == ["Alpha scheme", "Beta scheme", "Gamma scheme"]
    first, second, third = _item_ids(page)
    admin.post(f"{edit_url}/items/{third}", data={"action": "up"})
    admin.post(f"{edit_url}/items/{first}", data={"action": "down"})
    admin.post(f"{edit_url}/items/{second}", data={"action": "note",
                                                    "note": "A sentence from the curator."})
    page = admin.get(edit_url).get_data(as_text=True)
    assert _titles(page) == ["Gamma scheme", "Alpha scheme", "Beta scheme"]
    assert app.test_client().get("/collections/domestic-work-showcase").status_code == 404

    admin.post(edit_url, data={"title": "Domestic work showcase", "published": "y",
                               "intro": "Chosen for **June 16**."})
    public = app.test_client()
    page = public.get("/collections/domestic-work-showcase").get_data(as_text=True)
    assert _titles(page) == ["Gamma scheme", "Alpha scheme", "Beta scheme"]
    assert "A sentence from the curator." in page
    assert "Gamma scheme worked." in page
    assert "Beta scheme worked." not in page  # the note replaces the outcome
    assert "<strong>June 16</strong>" in page
    assert "Kenya" in page
    assert "Alpha scheme team" in page
    home = public.get("/").get_data(as_text=True)
    assert "Domestic work showcase" in home
    assert "Beta scheme" in home
    assert "Domestic work showcase" in public.get("/practices/alpha-scheme").get_data(
        as_text=True)
    assert "Domestic work showcase" in public.get("/collections/").get_data(as_text=True)

    admin.post(f"/admin/practices/{ids['Gamma scheme']}/archive",
               data={"reason": "Figures out of date"})
    page = public.get("/collections/domestic-work-showcase").get_data(as_text=True)
    assert _titles(page) == ["Alpha scheme", "Beta scheme"]
    assert "Gamma scheme" not in public.get("/").get_data(as_text=True)
    admin_page = admin.get(edit_url).get_data(as_text=True)
    assert "card-hidden" in admin_page
    assert "Figures out of date" in admin_page

    admin.post(f"{edit_url}/items/{first}", data={"action": "remove"})
    page = public.get("/collections/domestic-work-showcase").get_data(as_text=True)
    assert _titles(page) == ["Beta scheme"]


def test_collection_pages_refuse_other_roles_and_unknown_items(app, make_practice):
    make_practice(state="published", title="Lone scheme")
    admin = signed_in(app, make_member(app, role="admin", organization="Hub"))
    admin.post("/admin/collections/new", data={"title": "Lone", "slug": "lone"})
    admin.post("/admin/collections/lone/items", data={"practice": "lone-scheme"})
    r = admin.post("/admin/collections/lone/items", data={"practice": "lone-scheme"})
    assert r.status_code == 422
    assert "Already in the collection" in r.get_data(as_text=True)
    assert admin.post("/admin/collections/lone/items/999", data={"action": "up"}
                      ).status_code == 404
    reviewer = signed_in(app, make_member(app, role="reviewer", organization="R"))
    assert reviewer.get("/admin/collections/lone").status_code == 403


def test_hostile_practice_references_are_refused_without_a_server_error(app, make_practice):
    make_practice(state="published", title="Solid scheme")
    admin = signed_in(app, make_member(app, role="admin", organization="Hub"))
    admin.post("/admin/collections/new", data={"title": "Hostile", "slug": "hostile"})
    for value in ("\x00", "a" * 10_000, "Solid Scheme", "../solid-scheme?x=1"):
        r = admin.post("/admin/collections/hostile/items", data={"practice": value,
                                                                   "note": "\x00" * 400})
        assert r.status_code in (302, 400, 422), (value[:20], r.status_code)
    assert 'id="item-' not in admin.get("/admin/collections/hostile").get_data(as_text=True)
