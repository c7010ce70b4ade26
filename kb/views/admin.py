"""Admin pages under /admin: users and roles, archiving, the audit log, the search index."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
from kb.views import admin_practices as _admin_practices  # noqa: E402,F401
