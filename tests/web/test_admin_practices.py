"""Admin pages for practices: archive needs a reason; the audit log is admin-only and filters."""
from __future__ import annotations

from tests.web.review_support import make_member, signed_in


def test_only_admins_may_archive_or_read_the_audit_log(app, make_practice):
    pid = make_practice(state="published")
    for role in ("submitter", "reviewer"):
        client = signed_in(app, make_member(app, role))
        assert client.get("/admin/audit").status_code == 403
        assert client.post(f"/admin/practices/{pid}/archive",
                           data={"reason": "x"}).status_code == 403


def test_the_audit_log_filters_by_action_and_practice(app, make_practice):
    admin = signed_in(app, make_member(app, "admin"))
    first = make_practice(state="published", title="Audit first")
    make_practice(state="published", title="Audit second")
    admin.post(f"/admin/practices/{first}/archive", data={"reason": "Outdated figures."})
    page = admin.get("/admin/audit", query_string={"action": "archive"}).get_data(as_text=True)
    assert "Outdated figures." in page
    assert f"#{first}" in page
    page = admin.get("/admin/audit", query_string={"action": "import"}).get_data(as_text=True)
    assert "Outdated figures." not in page
    listing = admin.get("/admin/practices", query_string={"state": "archived"})
    assert "Audit first" in listing.get_data(as_text=True)
