"""Interface language: Flask-Babel, the locale choice, and taxonomy labels for templates."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, request, url_for
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
)
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from kb import taxonomy
from kb.urls import QUERY_SAFE

LOCALE_COOKIE = "kb_lang"


def select_locale() -> str:
    """Pick the interface language: ?lang=, then the cookie, the account, Accept-Language."""
    supported = current_app.config["LANGUAGES"]
    for candidate in (
        request.args.get("lang"),
        request.cookies.get(LOCALE_COOKIE),
        getattr(current_user, "locale", None) if current_user else None,
    ):
        if isinstance(candidate, str) and candidate in supported:
            return candidate
    return request.accept_languages.best_match(supported) or supported[0]


def N_(text: str) -> str:
    """Mark ``text`` for the catalogs without translating it; the page shows ``_(text)``."""
    return text


def current_locale() -> str:
    """Return the interface language code of this request ('en' outside a request)."""
    try:
        return str(get_locale() or "en")
    except RuntimeError:
        return "en"


def taxonomy_label(facet: str, code: taxonomy.Code) -> str:
    """Return the label of a taxonomy code in the interface language."""
    return taxonomy.label(facet, code, current_locale())


def lang_url(code: str, external: bool = False) -> str:
    """Return the current page's URL in language ``code`` (the choice is then remembered).

    That is url_for(endpoint, **view_args, **request.args with lang=code). Every page links
    its three languages twice: the path is built once a request and the query string encoded
    here as Werkzeug encodes it (each name at its first place with all its values, lang
    replaced in place or added last), unless the endpoint's rule is one that query values
    could change (several rules, defaults, a name shared with the path).
    """
    endpoint = request.endpoint if request.url_rule is not None and request.method == "GET" \
        else None
    if endpoint is None:
        return url_for("public.home", lang=code, _external=external)
    view_args = request.view_args or {}
    parts = request.environ.get("kb.lang_url_parts")  # this request's, not the app context's
    if parts is None:
        parts = request.environ["kb.lang_url_parts"] = _lang_url_parts(endpoint, view_args)
    if parts is _BUILD_EACH_TIME:
        args = request.args.copy()
        args["lang"] = code
        values: dict[str, Any] = {**view_args, **args.to_dict(flat=False)}
        return url_for(endpoint, _external=external, **values)
    before, after, paths = parts
    if external not in paths:
        paths[external] = url_for(endpoint, _external=external, **view_args)
    query = "&".join(filter(None, (before, urlencode([("lang", code)], safe=QUERY_SAFE), after)))
    return f"{paths[external]}?{query}"


_BUILD_EACH_TIME: Any = object()


def _lang_url_parts(endpoint: str, view_args: dict[str, Any]) -> Any:
    """Return the encoded query before and after ``lang`` and a dict for the built paths,
    or _BUILD_EACH_TIME when the URL must go through url_for whole."""
    rules = list(current_app.url_map.iter_rules(endpoint))
    if (len(rules) != 1 or rules[0].defaults or current_app.url_map.sort_parameters
            or any(name in view_args for name in request.args)):
        return _BUILD_EACH_TIME
    before: list[tuple[str, str]] = []
    after: list[tuple[str, str]] = []
    seen_lang = False
    for name in request.args:
        if name == "lang":
            seen_lang = True
            continue
        (after if seen_lang else before).extend((name, v) for v in request.args.getlist(name))
    return urlencode(before, safe=QUERY_SAFE), urlencode(after, safe=QUERY_SAFE), {}


def remember_locale(response: Response) -> Response:
    """Keep a language picked with ?lang= in a cookie and, for a signed-in user, the account."""
    chosen = request.args.get("lang")
    if chosen not in current_app.config["LANGUAGES"]:
        chosen = None
    if chosen and request.cookies.get(LOCALE_COOKIE) != chosen:
        response.set_cookie(LOCALE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    if request.method == "GET" and response.status_code < 400:
        _remember_in_account(chosen)
    return response


def _remember_in_account(chosen: str | None) -> None:
    """Store the reading language on the account (mail follows it), only when it changed.

    A user who never picked a language gets the one the site chose for them (cookie or
    Accept-Language), so mail to them is not in English by default.
    """
    user = current_user._get_current_object() if current_user else None
    if user is None or not getattr(user, "is_authenticated", False):
        return
    wanted = chosen or (None if user.locale else current_locale())
    if wanted and wanted != user.locale:
        from kb.services import accounts

        accounts.set_locale(user, wanted)


def render_helpers() -> dict[str, Any]:
    """Return the language-bound template helpers for one render (a context processor).

    Flask-Babel's template functions and ``label`` look the request's language up again on
    every call (request context, locale, catalog cache key: most of the cost of a page's
    hundreds of translated strings and labels). A context processor runs once per
    render_template, inside any ``force_locale``, so what it binds is what those calls would
    find. ``gettext``/``ngettext`` behave as Jinja's "newstyle" ones: the translation is
    trusted markup when autoescaping, and a format string (``%(name)s`` placeholders filled
    from keyword arguments, escaped; one with neither placeholders nor "%" is returned as
    is). ``_`` is the same gettext, not Jinja's alias that looks ``gettext`` up again on
    each call. Both take the evaluation context, not the context: inside a block that sets
    variables, Jinja copies the whole context for each call of a function that takes it.
    """
    locale = current_locale()
    translations = get_translations()
    singular, plural = translations.ugettext, translations.ungettext

    @pass_eval_context
    def gettext(eval_context: EvalContext, string: str, **variables: Any) -> str:
        text = singular(string)
        if eval_context.autoescape:
            text = Markup(text)
        return text % variables if variables or "%" in text else text

    @pass_eval_context
    def ngettext(eval_context: EvalContext, single: str, many: str, num: int,
                 **variables: Any) -> str:
        variables.setdefault("num", num)
        text = plural(single, many, num)
        if eval_context.autoescape:
            text = Markup(text)
        return text % variables

    def label(facet: str, code: taxonomy.Code) -> str:
        return taxonomy.label(facet, code, locale)

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "label": label,
            "current_locale": lambda: locale}


def init_app(app: Flask) -> None:
    """Install Flask-Babel and the template helpers that render labels."""
    Babel(app, locale_selector=select_locale)
    app.context_processor(render_helpers)
    app.jinja_env.globals.update(site_languages=taxonomy.ENDONYMS,
                                 label=taxonomy_label, current_locale=current_locale,
                                 lang_url=lang_url, format_date=format_date,
                                 format_datetime=format_datetime, format_number=format_decimal)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.after_request(remember_locale)
