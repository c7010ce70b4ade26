"""kb.forms.Select writes the same markup as WTForms' own select widget (the reference)."""
from __future__ import annotations

import json

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, widgets
from wtforms.fields.choices import Choice, SelectChoice  # type: ignore[attr-defined]

from kb.forms import Select, SelectField
from tests.conftest import shared_path

HOSTILE = [*json.loads(shared_path("corpora", "blns", "blns.json").read_text("utf-8"))[:300],
           '"', "'", "<b>", "&amp;", 'a"b<c>d&e', Markup('<i>"trusted"</i>')]


def _forms(choices):
    class Ours(Form):
        field = SelectField(choices=choices, validate_choice=False)

    class Reference(Form):
        field = SelectField(choices=choices, validate_choice=False, widget=widgets.Select())

    return Ours, Reference


@pytest.mark.parametrize("start", range(0, len(HOSTILE), 50))
def test_options_are_written_as_wtforms_writes_them(start):
    values = HOSTILE[start:start + 50]
    pairs = [*zip(values, reversed(values), strict=True),
             ("", "—"), ("x", ""), (True, "yes"), (False, "no"), (3, 3)]
    choices = [SelectChoice(value, label) for value, label in pairs]
    ours, reference = _forms(choices)
    for data in [None, MultiDict({"field": "True"}),
                 *[MultiDict({"field": str(value)}) for value in values[:10]]]:
        mine, theirs = ours(formdata=data).field, reference(formdata=data).field
        assert str(mine()) == str(theirs())
        assert str(mine(class_="wide", required=True)) == str(theirs(class_="wide", required=True))


def test_options_with_their_own_attributes_are_left_to_wtforms():
    choices = [SelectChoice("a", "A", render_kw={"disabled": True, "data_x": 'q"'}),
               SelectChoice("b", "B")]
    ours, reference = _forms(choices)
    html = str(ours(formdata=MultiDict({"field": "a"})).field())
    assert html == str(reference(formdata=MultiDict({"field": "a"})).field())
    assert '<option data-x="q&#34;" disabled selected value="a">A</option>' in html
    assert Select.render_option(Choice("b", "B", False, {}), lang="fr") == \
        widgets.Select.render_option(Choice("b", "B", False, {}), lang="fr")
