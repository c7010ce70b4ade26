"""Blueprints: public, auth, submit, review, admin, api. Views parse, call a service, render."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every blueprint and the one place that maps domain errors to HTTP."""
    from kb.views import (
        admin,
        api,
        auth,
        boundary,
        caching,
        calls,
        collections,
        errors,
        labels,
        living,
        public,
        review,
        submit,
        submit_pages,
    )

    submit_pages.register()  # the submitter's pages share the form's blueprint

    boundary.init_app(app)  # before the routes: it bounds their <int:...> converter
    for module in (public, auth, submit, review, admin, api, calls, collections):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    caching.init_app(app)
    labels.init_app(app)
    living.init_app(app)
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
