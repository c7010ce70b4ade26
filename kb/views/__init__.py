"""Blueprints: public, auth, submit, review, admin, api, calls, collections.

Views parse, call a service, render. Each blueprint is made in one module (its ``bp``); other
modules add routes to it by importing that ``bp``. ``routes()`` is the one place that names
them all: the app factory registers what it lists, and no module imports another for the
routes it adds.
"""
from __future__ import annotations

from types import ModuleType

from flask import Blueprint, Flask


def routes() -> dict[Blueprint, tuple[ModuleType, ...]]:
    """Return each blueprint with the modules that add its routes, its own module first.

    Importing a module here is what puts its routes on the blueprint (kb.views.living adds
    pages to three of them).
    """
    from kb.views import (
        account,
        admin,
        admin_calls,
        admin_collections,
        admin_practices,
        admin_search,
        api,
        api_calls,
        api_docs,
        api_read,
        api_write,
        auth,
        calls,
        collections,
        contact,
        coverage,
        feeds,
        living,
        public,
        review,
        search,
        site,
        submit,
        submit_pages,
    )

    return {
        public.bp: (public, search, site, coverage, feeds, contact, api_docs),
        auth.bp: (auth, account),
        submit.bp: (submit, submit_pages, living),
        review.bp: (review, living),
        admin.bp: (admin, admin_practices, admin_calls, admin_collections, admin_search,
                   living),
        api.bp: (api, api_read, api_write, api_calls),
        calls.bp: (calls,),
        collections.bp: (collections,),
    }


def init_app(app: Flask) -> None:
    """Register every blueprint and the one place that maps domain errors to HTTP."""
    from kb import security
    from kb.views import api, boundary, caching, cards, errors, fragments, labels, living, public

    blueprints = routes()
    security.limit_guest_blueprints(public.bp, api.bp)
    boundary.init_app(app)  # before the routes: it bounds their <int:...> converter
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    caching.init_app(app)
    cards.init_app(app)
    fragments.init_app(app)
    labels.init_app(app)
    living.init_app(app)
