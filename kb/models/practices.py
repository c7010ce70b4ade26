"""Practices, their coded facets and links, and the search-index change log."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ColumnElement, ForeignKey, Integer, String, Text, and_, false
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from kb.db import Base, UTCDateTime, utcnow
from kb.models.users import Organization, User
from kb.workflow import PUBLISHED


class PracticeObjective(Base):
    __tablename__ = "practice_objectives"
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class PracticePrinciple(Base):
    __tablename__ = "practice_principles"
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class PracticeRegion(Base):
    __tablename__ = "practice_regions"
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class PracticeCountry(Base):
    __tablename__ = "practice_countries"
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)


class PracticeStakeholder(Base):
    __tablename__ = "practice_stakeholders"
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class PracticeLink(Base):
    __tablename__ = "practice_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))


# Practice attribute -> the link table holding its codes (exports and the bulk import read and
# write these tables directly).
CODE_TABLES: dict[str, type[PracticeObjective | PracticePrinciple | PracticeRegion
                            | PracticeCountry | PracticeStakeholder]] = {
    "objectives": PracticeObjective, "principles": PracticePrinciple,
    "regions": PracticeRegion, "countries": PracticeCountry,
    "stakeholders": PracticeStakeholder,
}


def title_key(title: str) -> str:
    """Return ``title`` as duplicate checks compare it: spaces collapsed, Unicode case folded."""
    return " ".join(title.split()).casefold()


def is_public_row(row: Any) -> bool:
    """Return True for a practice the public sees: published, and not a proposed update of
    another (an approved update's row stays behind, closed as "published", as its record).

    The one definition of "public", for Practice rows (``Practice.is_public``, also in SQL) and
    the plain copies kb.services.exports reads with Core.
    """
    return row.state == PUBLISHED and row.revision_of_id is None


def _coded(cls: type, order_by: Any) -> Any:
    return relationship(cls, cascade="all, delete-orphan", order_by=order_by, lazy="selectin")


class Practice(Base):
    __tablename__ = "practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    state: Mapped[str] = mapped_column(String(30), default="draft", index=True)
    # A pending update of a published practice is a practice row of its own that points here.
    revision_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), index=True
    )

    title: Mapped[str] = mapped_column(String(200), default="")
    # The title as duplicate checks compare it (title_key()); kept in step by _set_title_key.
    title_key: Mapped[str] = mapped_column(String(800), default="", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str | None] = mapped_column(String(20))
    practice_type: Mapped[str | None] = mapped_column(String(20))
    implemented_by: Mapped[str] = mapped_column(Text, default="")
    partners: Mapped[str] = mapped_column(Text, default="")
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    implementation_status: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    results_html: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    lessons_html: Mapped[str] = mapped_column(Text, default="")
    funding: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # The submitter's consent that readers may write to the focal point through the site's
    # form (the address itself stays hidden unless contact_public).
    contact_contactable: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=false())
    language: Mapped[str] = mapped_column(String(8), default="en")
    # The call for practices this entry answers (a slug: the record carries it as is).
    call_slug: Mapped[str | None] = mapped_column(
        ForeignKey("calls.slug", ondelete="SET NULL"), index=True)

    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checklist: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decision_reason: Mapped[str | None] = mapped_column(Text)  # rejection or archive reason
    # Peer review: the round under way (each submission starts one) and the reviewers an
    # admin added to it (kb.services.peer_review).
    review_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reviewers_added: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    last_reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # An open update request (a reviewer or admin asked the submitter to check the entry).
    update_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    update_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    update_request_comment: Mapped[str | None] = mapped_column(Text)
    # When the submitter was last reminded that the review date has passed.
    review_reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    submitter: Mapped[User | None] = relationship(
        back_populates="practices", foreign_keys=[submitter_id]
    )
    organization: Mapped[Organization | None] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    update_requested_by: Mapped[User | None] = relationship(foreign_keys=[update_requested_by_id])
    links: Mapped[list[PracticeLink]] = relationship(
        cascade="all, delete-orphan", order_by=PracticeLink.position, lazy="selectin"
    )

    @hybrid_property
    def is_public(self) -> bool:
        """True for a practice the public sees (is_public_row): ``practice.is_public`` on a row,
        ``Practice.is_public`` in a query's WHERE."""
        return is_public_row(self)

    @is_public.inplace.expression
    @classmethod
    def _is_public_condition(cls) -> ColumnElement[bool]:
        return and_(cls.state == PUBLISHED, cls.revision_of_id.is_(None))

    @validates("title")
    def _set_title_key(self, _name: str, value: str | None) -> str | None:
        self.title_key = title_key(value or "")
        return value

    objective_rows: Mapped[list[PracticeObjective]] = _coded(PracticeObjective,
                                                             PracticeObjective.code)
    principle_rows: Mapped[list[PracticePrinciple]] = _coded(PracticePrinciple,
                                                             PracticePrinciple.code)
    region_rows: Mapped[list[PracticeRegion]] = _coded(PracticeRegion, PracticeRegion.code)
    country_rows: Mapped[list[PracticeCountry]] = _coded(PracticeCountry, PracticeCountry.code)
    stakeholder_rows: Mapped[list[PracticeStakeholder]] = _coded(PracticeStakeholder,
                                                                 PracticeStakeholder.code)

    objectives: AssociationProxy[list[int]] = association_proxy(
        "objective_rows", "code", creator=lambda code: PracticeObjective(code=code)
    )
    principles: AssociationProxy[list[str]] = association_proxy(
        "principle_rows", "code", creator=lambda code: PracticePrinciple(code=code)
    )
    regions: AssociationProxy[list[str]] = association_proxy(
        "region_rows", "code", creator=lambda code: PracticeRegion(code=code)
    )
    countries: AssociationProxy[list[str]] = association_proxy(
        "country_rows", "code", creator=lambda code: PracticeCountry(code=code)
    )
    stakeholders: AssociationProxy[list[str]] = association_proxy(
        "stakeholder_rows", "code", creator=lambda code: PracticeStakeholder(code=code)
    )

    def __repr__(self) -> str:
        return f"<Practice {self.id} {self.slug} {self.state}>"


class IndexChange(Base):
    """'Practice X changed': written in the transaction of the change, applied to the index later.

    Rows are never used as a high-water mark by id alone: ids can commit out of order.
    """

    __tablename__ = "index_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: deletions are changes
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
