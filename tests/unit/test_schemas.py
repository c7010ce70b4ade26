"""kb.schemas is the one declaration: the API dispatch, the OpenAPI document and the validator
all come from it."""
from __future__ import annotations

from jsonschema import Draft202012Validator

from kb import schemas
from kb.services.validation import validate_record
from kb.views import api_write, openapi
from tests.conftest import valid_record


def test_every_declared_action_has_a_service_call_and_no_other():
    assert set(api_write.HANDLERS) == set(schemas.ACTIONS)


def test_the_openapi_request_schemas_are_the_validator_schemas():
    components = openapi.document()["components"]["schemas"]
    assert components["RecordInput"] == schemas.record_schema()
    assert components["CreateInput"] == schemas.create_schema()
    assert components["Action"] == schemas.actions_schema()
    enum = [variant["properties"]["action"]["const"]
            for variant in components["Action"]["oneOf"]]
    assert enum == list(schemas.ACTIONS)
    assert "propose_update" in enum


def test_the_declared_schemas_are_valid_json_schema():
    for schema in (schemas.record_schema(), schemas.create_schema(), schemas.actions_schema()):
        Draft202012Validator.check_schema(schema)


def test_a_valid_record_passes_and_comes_back_in_stored_shapes():
    clean = validate_record(valid_record(start_year="2019", objectives=["15", 16, 15]),
                            complete=True)
    assert clean["start_year"] == 2019
    assert clean["objectives"] == [15, 16]


def test_every_record_field_of_the_schema_is_stored():
    from kb.services.records import WRITABLE_FIELDS

    assert set(schemas.record_fields()) == set(WRITABLE_FIELDS)
