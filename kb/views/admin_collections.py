"""Admin pages for featured collections (/admin/collections): write, fill, order, annotate."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kb.errors import ValidationFailed
from kb.forms import add_field_errors
from kb.forms.calls import AddPracticeForm, CollectionForm, ItemForm
from kb.security import roles_required
from kb.services import collections
from kb.views.admin import bp

MOVES = {"up": -1, "down": 1}


@bp.get("/collections")
@roles_required("admin")
def collections_list():
    return render_template("admin/collections.html",
                           items=collections.list_all(current_user))


@bp.route("/collections/new", methods=["GET", "POST"])
@roles_required("admin")
def new_collection():
    form = CollectionForm()
    if form.validate_on_submit():
        try:
            found = collections.create_collection(current_user, form.to_body(include_slug=True))
        except ValidationFailed as exc:
            add_field_errors(form, exc.fields)
        else:
            flash(_("Collection saved; now add practices."), "success")
            return redirect(url_for("admin.edit_collection", slug=found.slug))
    return render_template("admin/collection_new.html", form=form), (422 if form.errors
                                                                      else 200)


@bp.route("/collections/<slug>", methods=["GET", "POST"])
@roles_required("admin")
def edit_collection(slug: str):
    found = collections.get_for_admin(current_user, slug)
    form = CollectionForm(obj=found)
    status = 200
    if form.validate_on_submit():
        try:
            collections.update_collection(current_user, slug, form.to_body(include_slug=False))
        except ValidationFailed as exc:
            add_field_errors(form, exc.fields)
        else:
            flash(_("Collection saved."), "success")
            return redirect(url_for("admin.edit_collection", slug=slug))
    if form.errors:
        status = 422
    return _render(found, form=form, status=status)


def _render(found, form: CollectionForm | None = None,
            add_form: AddPracticeForm | None = None, status: int = 200):
    return render_template(
        "admin/collection_edit.html", collection=found, form=form or CollectionForm(obj=found),
        add_form=add_form or AddPracticeForm(formdata=None),
        cards=collections.cards(found, public=False)), status


@bp.post("/collections/<slug>/items")
@roles_required("admin")
def add_collection_item(slug: str):
    found = collections.get_for_admin(current_user, slug)
    form = AddPracticeForm()
    if form.validate_on_submit():
        practice = (form.practice.data or "").strip().rstrip("/").rsplit("/", 1)[-1]
        try:
            collections.add_practice(current_user, slug, practice, form.note.data or "")
        except ValidationFailed as exc:
            add_field_errors(form, exc.fields)
            return _render(found, add_form=form, status=422)
        flash(_("Practice added."), "success")
    return redirect(url_for("admin.edit_collection", slug=slug))


@bp.post("/collections/<slug>/items/<int:item_id>")
@roles_required("admin")
def edit_collection_item(slug: str, item_id: int):
    form = ItemForm()
    action = request.form.get("action", "")
    if form.validate_on_submit():
        try:
            collections.edit_item(current_user, slug, item_id, move=MOVES.get(action, 0),
                                  note=form.note.data if action == "note" else None,
                                  remove=action == "remove")
        except ValidationFailed as exc:
            flash(" ".join(m for ms in exc.fields.values() for m in ms) or exc.message, "error")
        else:
            flash(_("Practice removed from the collection.") if action == "remove"
                  else _("Collection saved."), "success")
    return redirect(url_for("admin.edit_collection", slug=slug) + f"#item-{item_id}")
