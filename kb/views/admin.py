"""Admin pages under /admin: users and roles, archiving, the audit log, the search index."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
