"""Every permission of the loans app and every predicate built on them: the one place to look.

Codenames are declared on ``LoanApplication.Meta.permissions`` (plus Django's own
add/change/view codenames); the groups that hold them (Officer, Approver, Analyst) are made in
migration ``0006_roles``. Code asks the predicates below, never ``has_perm("loans....")`` with a
spelled-out string, so renaming or splitting a role is a change in this file alone.

This module imports nothing from the rest of ``loans``: every subject package may use it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

APP_LABEL = "loans"

# Codenames (without the app label), as the Permission rows and the groups know them.
REVIEW_APPLICATION = "review_application"  # program officer: review, ask, recommend, reject, override
APPROVE_APPLICATION = "approve_application"  # approver: approve, send back, disburse
VIEW_PII = "view_pii"  # whole document numbers, phones and addresses
VIEW_REPORTS = "view_reports"  # the analysts' report pages
EXPORT_REPORTS = "export_reports"  # downloads of rows
ADD_REVIEW_NOTE = "add_reviewnote"  # internal notes (officers and approvers)
ADD_RECHECK_RUN = "add_recheckrun"  # start an eligibility re-check
VIEW_APPLICATION = "view_loanapplication"  # who receives the officers' digest


def full(codename: str) -> str:
    """``"loans.<codename>"``, the form ``User.has_perm`` and ``{% perms %}`` use."""
    return f"{APP_LABEL}.{codename}"


OFFICER = full(REVIEW_APPLICATION)
APPROVER = full(APPROVE_APPLICATION)
PII = full(VIEW_PII)
REPORTS = full(VIEW_REPORTS)
EXPORTS = full(EXPORT_REPORTS)
NOTES = full(ADD_REVIEW_NOTE)
RECHECK = full(ADD_RECHECK_RUN)


def holders(codename: str) -> Q:
    """A filter on users for those given ``codename`` through a group or directly (not superusers)."""
    through_group = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=APP_LABEL)
    direct = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=APP_LABEL)
    return through_group | direct


def is_officer(user: Any) -> bool:
    return bool(user.has_perm(OFFICER))


def is_approver(user: Any) -> bool:
    return bool(user.has_perm(APPROVER))


def may_note(user: Any) -> bool:
    return bool(user.has_perm(NOTES))


def may_recheck(user: Any) -> bool:
    return bool(user.has_perm(RECHECK))


def sees_pii(user: Any) -> bool:
    """Whole document numbers, phones and addresses (elsewhere they are masked)."""
    return bool(user.has_perm(PII))


def four_eyes_ok(user: Any, application: Any) -> bool:
    """Whoever recommended an application never approves it."""
    return application.recommended_by_id != user.pk


def may_view_reports(user: Any) -> bool:
    """The analysts' pages: staff (who also passed the second factor, checked by the view) with the role."""
    return bool(user.is_staff and user.has_perm(REPORTS))


def may_export(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(EXPORTS))


# --- entrepreneurship programmes (issue 11) --------------------------------------------------
# Codenames declared on ``Programme.Meta.permissions``; groups "Programme operator" and "Mentor"
# made in migration ``programme_roles_and_reminder``.

OPERATE_PROGRAMME = "operate_programme"  # operator staff: attendance, completion, certificates, mentors
MENTOR_ENROLMENT = "mentor_enrolment"  # mentors: read and comment on their mentees' plans
OPERATOR = full(OPERATE_PROGRAMME)
MENTOR = full(MENTOR_ENROLMENT)


def is_programme_operator(user: Any) -> bool:
    """Has the operator role; the pages also ask for the second factor (``operator_required``)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(OPERATOR))


def operates_cohort(user: Any, cohort: Any) -> bool:
    """Only the staff of the programme's own operator act on its cohorts."""
    return is_programme_operator(user) and cohort.programme.operator.staff.filter(pk=user.pk).exists()


def is_mentor(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(MENTOR))


def mentors_enrolment(user: Any, enrolment: Any) -> bool:
    """A mentor sees a plan only through an enrolment assigned to them."""
    return is_mentor(user) and enrolment.mentor_id == user.pk
