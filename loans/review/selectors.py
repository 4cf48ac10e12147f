"""Reads for the officers' screens: the application page, the scoring rubric, duplicate identities."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import F, Lookup, QuerySet
from django.utils.translation import gettext as _

from applicants.crypto import mask
from applicants.models import ReturneeProfile, User
from applicants.phones import format_phone
from applicants.search import fold
from loans import permissions
from loans.applications.models import ApplicationMessage, LoanApplication
from loans.applications.selectors import application_schedule
from loans.eligibility import rules as eligibility
from loans.review.models import ApplicationScore, ReviewNote, ScoringCriterion


def score_summary(application: LoanApplication) -> dict[str, Any]:
    """The rubric with this application's scores and the weighted score out of 100."""

    criteria = list(ScoringCriterion.objects.filter(is_active=True))
    scores = {s.criterion_id: s.score for s in ApplicationScore.objects.filter(application=application)}
    possible = sum(5 * c.weight for c in criteria)
    earned = sum(scores.get(c.pk, 0) * c.weight for c in criteria)
    complete = bool(criteria) and all(c.pk in scores for c in criteria)
    return {
        "criteria": criteria,
        "scores": scores,
        "score": round(100 * earned / possible) if possible and complete else None,
        "complete": complete,
    }


def duplicate_identities(application: LoanApplication) -> list[dict[str, Any]]:
    """Other accounts sharing this applicant's document number, phone or bank account."""
    profile = ReturneeProfile.objects.filter(user_id=application.applicant_id).first()
    found = []
    checks: list[tuple[str, QuerySet[Any, int]]] = []
    if profile and profile.document_number_hash:
        checks.append(
            (
                _("document number"),
                ReturneeProfile.objects.filter(document_number_hash=profile.document_number_hash).values_list(
                    "user_id", flat=True
                ),
            )
        )
    if profile and profile.phone_hash:
        checks.append(
            (
                _("phone"),
                ReturneeProfile.objects.filter(phone_hash=profile.phone_hash).values_list("user_id", flat=True),
            )
        )
    if application.bank_account_hash:
        checks.append(
            (
                _("bank account"),
                LoanApplication.objects.filter(bank_account_hash=application.bank_account_hash).values_list(
                    "applicant_id", flat=True
                ),
            )
        )
    for label, user_ids in checks:
        others = sorted(set(user_ids) - {application.applicant_id})
        if others:
            emails = list(User.objects.filter(pk__in=others).values_list("email", flat=True))
            found.append({"what": label, "accounts": emails})
    return found


def review_page(application: LoanApplication, viewer: User) -> dict[str, Any]:
    """Everything the officer's application page shows, in a fixed number of queries."""

    profile = (
        ReturneeProfile.objects.select_related("department", "municipality")
        .filter(user_id=application.applicant_id)
        .first()
    )
    can_see_pii = permissions.sees_pii(viewer)

    def pii(value: str | None) -> str:
        return (value or "") if can_see_pii else mask(value)

    result = application.eligibility_results.first()
    return {
        "profile": profile,
        "document_number": pii(profile.document_number if profile else ""),
        "phone": pii(format_phone(profile.phone or "")) if profile else "",
        "address": pii(profile.address if profile else ""),
        "can_see_pii": can_see_pii,
        "plan": application.frozen_plan or {},
        "documents": list(application.documents.all()),
        "eligibility": result,
        "verdicts": [eligibility.explain(v) for v in result.verdicts] if result else [],
        "schedule": application_schedule(application),
        "events": list(application.events.select_related("actor")),
        "notes": list(ReviewNote.objects.filter(application=application).select_related("author")),
        # Not "messages": that name belongs to the admin's flash messages in every template.
        "conversation": list(ApplicationMessage.objects.filter(application=application).select_related("sender")),
        "rubric": score_summary(application),
        "duplicates": duplicate_identities(application),
    }


# A surname held by this many profiles or more is common enough that a page of its newest
# applications lies near the top of the queue's date index (at 1M: "Rodríguez", 47,292 profiles,
# 50 matches within the newest ~1,200 applications); below it, reading every match from the
# last-name index and sorting them is cheaper (a surname of 3,600 profiles: 45-170 ms, against
# 0.7-1.2 s walking ~26,000 applications).
COMMON_SURNAME_FROM = 5_000


def applications_by_last_name(queryset: QuerySet[LoanApplication], term: str) -> QuerySet[LoanApplication]:
    """Applications in ``queryset`` whose applicant's last names begin with ``term``, accent- and
    case-blind, in the queryset's order (the queue's: newest first) and never truncated.

    The plan is chosen here, not left to the planner's guess at how far down the date index the
    matches lie: the planner's estimate of the matching profiles (exact enough since migration
    applicants 0013 refined the column's statistics; EXPLAIN only, nothing read) tells a common
    surname, searched as a semi-join the planner serves by walking the date index, from the others,
    whose applicants are collected first (``= ANY(ARRAY(…))``, which the planner cannot turn into
    that walk) and their applications read through the applicant index, then sorted.
    """
    matching = ReturneeProfile.objects.filter(last_names_search__startswith=fold(term)).order_by()
    if connections[queryset.db].vendor != "postgresql":
        return queryset.filter(applicant__in=matching.values("user_id"))
    plan = json.loads(matching.values("user_id").explain(format="json"))
    if plan[0]["Plan"]["Plan Rows"] >= COMMON_SURNAME_FROM:
        return queryset.filter(applicant__in=matching.values("user_id"))
    return queryset.filter(_EqualsAny(F("applicant_id"), ArraySubquery(matching.values("user_id"))))


class _EqualsAny(Lookup):
    """``lhs = ANY(rhs)``: PostgreSQL evaluates the array once, before the query it filters."""

    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
