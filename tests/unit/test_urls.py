"""kb.urls.safe_next_url: only paths on this site are followed after sign-in."""
from __future__ import annotations

import pytest

from kb.urls import safe_next_url

OFF_SITE = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "\\/\\/evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "%2F%2Fevil.example",
    "https://evil.example",
    "http://evil.example/practices",
    "HTTPS://evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http:\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//user:pass@evil.example",
    "https://kb.test@evil.example",
    "/@evil.example",
    "evil.example",
    "ftp://evil.example",
    "/\uff0fevil.example",          # fullwidth solidus folds to '/'
    "\uff0f\uff0fevil.example",
    "/\uff3cevil.example",          # fullwidth reverse solidus folds to '\'
    "/\u0000/evil.example",
    "/\u200b/evil.example",         # zero-width space
    "/\u2028/evil.example",         # line separator
    "/\u00a0/evil.example",         # no-break space
    "\x7f//evil.example",
    "",
    None,
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_and_tricky_targets_are_refused(target):
    assert safe_next_url(target) is None


def test_at_least_twenty_five_off_site_forms_are_tested():
    assert len(set(OFF_SITE)) >= 25


@pytest.mark.parametrize("target", [
    "/",
    "/practices",
    "/practices?q=a&objective=3",
    "/practices?q=water+access&objective=3&objective=16&page=2",
    "/practices/municipal-one-stop-shop",
    "/submissions/12/edit?tab=links#contact",
    "/practices?q=caf%C3%A9",
    "/practices?q=a%2Fb",
    "/account",
])
def test_local_paths_with_queries_are_honoured(target):
    assert safe_next_url(target) == target


def test_very_long_targets_are_refused():
    assert safe_next_url("/" + "a" * 5000) is None

