"""ORM classes, split by noun; import from here."""
from kb.models.audit import AuditEvent
from kb.models.calls import Call, Collection, CollectionItem
from kb.models.mail import OutboxMessage
from kb.models.practices import (
    IndexChange,
    Practice,
    PracticeCountry,
    PracticeLink,
    PracticeObjective,
    PracticePrinciple,
    PracticeRegion,
    PracticeStakeholder,
)
from kb.models.reviews import Review
from kb.models.users import ApiToken, Organization, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Call",
    "Collection",
    "CollectionItem",
    "IndexChange",
    "Organization",
    "OutboxMessage",
    "Practice",
    "PracticeCountry",
    "PracticeLink",
    "PracticeObjective",
    "PracticePrinciple",
    "PracticeRegion",
    "PracticeStakeholder",
    "Review",
    "User",
]
