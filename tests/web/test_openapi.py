"""The OpenAPI document is valid, the /api page renders it, and the API keeps to it."""
from __future__ import annotations

import functools
import re

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import add_practice, private_app
from tests.web.review_support import make_member

# schemathesis and openapi_spec_validator are imported by the tests that use them: ~0.35 s of
# CPU at collection in every test process, most of which never runs these tests.
EXAMPLES = 10  # generated requests per read operation in test-fast; the slow twin sends 20
SLOW_EXAMPLES = 20
DOCUMENTED = {
    ("get", "/api/v1/practices"), ("get", "/api/v1/practices/{slug}"),
    ("get", "/api/v1/practices.csv"), ("get", "/api/v1/practices.json"),
    ("get", "/api/v1/taxonomy"), ("get", "/api/v1/stats"), ("get", "/api/v1/openapi.json"),
    ("get", "/feed.atom"), ("get", "/api/v1/submissions"), ("post", "/api/v1/submissions"),
    ("get", "/api/v1/submissions/{id}"),
    ("patch", "/api/v1/submissions/{id}"), ("post", "/api/v1/submissions/{id}/actions"),
    ("post", "/practices/{slug}/contact"),
    ("get", "/api/v1/calls"), ("post", "/api/v1/calls"), ("get", "/api/v1/calls/{slug}"),
    ("patch", "/api/v1/calls/{slug}"), ("get", "/api/v1/collections"),
    ("post", "/api/v1/collections"), ("get", "/api/v1/collections/{slug}"),
    ("patch", "/api/v1/collections/{slug}"), ("get", "/calls/feed.atom"),
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, migrated_database):
    """An app of this module's own with calls, practices and a collection: the schema walk
    only reads it."""
    with private_app(tmp_path_factory.mktemp("openapi"), migrated_database) as app:
        _seed(app, functools.partial(add_practice, app))
        yield app


def _seed(app, make_practice) -> None:
    from kb.services import calls, collections

    admin = make_member(app, "admin")
    with app.app_context():
        calls.create_call(admin, {"title": "Migration data", "objectives": [1],
                                  "opens_on": "2026-01-01", "closes_on": "2099-01-01"})
        calls.create_call(admin, {"title": "Closed one", "opens_on": "2025-01-01",
                                  "closes_on": "2025-02-01"})
    make_practice(title="Alternatives to detention", objectives=[13], regions=["africa"],
                  countries=["KEN"], contact={"name": "Open", "email": "o@example.org",
                                              "public": True})
    make_practice(title="Remittance corridor", objectives=[20, 23], level="regional",
                  regions=["asia-pacific"], countries=["PHL"], language="fr")
    make_practice(title="Kosovo registration desk", objectives=[4], countries=["XKX"],
                  regions=["europe-north-america"], start_year=None, end_year=None)
    with app.app_context():
        collections.create_collection(admin, {
            "title": "Showcase", "published": True,
            "items": [{"practice": "remittance-corridor", "note": "A note."},
                      {"practice": "alternatives-to-detention"}]})


def test_openapi_document_validates_and_documents_every_endpoint(client):
    from openapi_spec_validator import validate

    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    operations = {(m, p) for p, item in doc["paths"].items() for m in item}
    assert operations == DOCUMENTED
    assert doc["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    actions = doc["paths"]["/api/v1/submissions/{id}/actions"]["post"]["responses"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(actions)


def test_api_page_renders_every_operation_without_external_assets(client):
    html = client.get("/api").get_data(as_text=True)
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method in item:
            assert f"<code>{method.upper()} {path}</code>" in html
    # Links to the page in other languages (hreflang) are not assets.
    html = re.sub(r'<link rel="alternate" hreflang=[^>]*>', "", html)
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Rechercher les pratiques publiées", "chaîne de requête", "Répétable"]),
    ("es", ["Buscar las prácticas publicadas", "cadena de consulta", "Repetible"]),
])
def test_api_page_is_written_in_the_readers_language(client, lang, words):
    html = client.get("/api", query_string={"lang": lang}).get_data(as_text=True)
    main = html.split('<main', 1)[1].split("</main>", 1)[0]
    for text in words:
        assert text in main
    for english in ("Search published practices", "Repeatable", "A page of results",
                    'lang="en"'):
        assert english not in main


def test_api_page_and_document_name_no_internal_design_document(client):
    doc = client.get("/api/v1/openapi.json").get_data(as_text=True)
    html = client.get("/api").get_data(as_text=True)
    assert "DESIGN" not in doc
    assert "DESIGN" not in html
    assert "<code>GET /api/v1/submissions</code>" in html


def test_the_submission_list_keeps_to_its_documented_schema(app, client, make_user,
                                                            make_practice):
    from jsonschema import Draft202012Validator

    from kb.services import tokens

    submitter = make_user("submitter")
    make_practice(state="draft", submitter=submitter, title="A draft of mine")
    with app.app_context():
        token = tokens.create_token(submitter, submitter)
    response = client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"})
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/SubmissionList", "components": doc["components"]}
    body = response.get_json()
    assert response.status_code == 200
    assert not list(Draft202012Validator(schema).iter_errors(body))
    assert [r["title"] for r in body["results"]] == ["A draft of mine"]
    assert client.get("/api/v1/submissions").status_code == 401


# The documented read operations schemathesis walks: it leaves out the operation serving the
# schema itself; the submission endpoints need accounts and run in their own tests.
READ = sorted(path for method, path in DOCUMENTED if method == "get"
              and path != "/api/v1/openapi.json" and not path.startswith("/api/v1/submissions"))


def _read_operations(app) -> dict:
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    return {op.path: op for op in operations if op.method.lower() == "get"
            and not op.path.startswith("/api/v1/submissions")}


def test_schemathesis_walks_every_documented_read_operation(app):
    assert set(_read_operations(app)) == set(READ)
    assert len(READ) == 12


# One test per operation, so that they run in parallel.
@pytest.mark.parametrize("path", READ)
def test_every_read_endpoint_keeps_to_the_documented_schema(seeded, path):
    # At least one validated call: an operation without parameters has only a few cases.
    assert walk(seeded, path, EXAMPLES) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("path", READ)
def test_every_read_endpoint_keeps_to_the_documented_schema_on_more_examples(seeded, path):
    assert walk(seeded, path, SLOW_EXAMPLES) >= 1


def walk(app, path: str, max_examples: int) -> int:
    """Send schemathesis's generated requests to the operation at ``path``, checking each
    answer against the document; return how many were sent."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]
    operation = _read_operations(app)[path]
    examples = 0

    @given(case=operation.as_strategy())
    @settings(max_examples=max_examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        nonlocal examples
        examples += 1
        # Schemathesis's WSGI transport does not undo gzip as an HTTP client would.
        case.call_and_validate(checks=checks, headers={"Host": "kb.test",
                                                       "Accept-Encoding": "identity"})

    check()
    return examples
