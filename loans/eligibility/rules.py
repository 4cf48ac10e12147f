"""The eligibility engine: one small function per rule of docs/DOMAIN.md ("Eligibility"), versioned.

Each rule returns pass / fail / review with a reason code and the facts it used. The same
functions serve the Celery check of a submitted application and the public self-check page
(which builds a Facts object from a few answers and stores nothing).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.choices import DocumentType, ReturnType
from applicants.validators import ADULT_AGE, age_on
from loans.eligibility import dates

# Bump when a rule, a reason code or what a rule looks at changes; every stored result keeps
# the version it was judged under. tests/eligibility/test_ruleset_version.py pins the
# fingerprint of each version, so a rule cannot change silently under an old number.
RULESET_VERSION = "2026.3"

PASS, FAIL, REVIEW = "pass", "fail", "review"


@dataclass
class Facts:
    """What the rules look at, gathered once (from the frozen application or a self-check)."""

    today: date
    birth_date: date | None = None
    document_type: str = ""
    is_colombian_national: bool | None = None
    country_returned_from: str = ""
    departure_date: date | None = None
    return_date: date | None = None
    return_type: str = ""
    forced_return: bool | None = None
    rur_number: str = ""
    declarations_complete: bool = False
    # Product parameters (from the product, never from code).
    min_years_abroad: int = 3
    max_months_since_return: int = 12
    accepted_countries: list[str] = field(default_factory=list)
    eligible_return_types: list[str] = field(default_factory=list)
    covered_departments: list[str] = field(default_factory=list)
    # Only known for a real application.
    other_open_applications: int | None = None
    duplicate_identity_accounts: int | None = None
    loan_request_errors: dict[str, str] | None = None
    plan_missing: list[str] | None = None
    missing_documents: list[str] | None = None
    business_department: str | None = None
    profile_changed_since_submission: bool | None = None
    product_active: bool | None = None
    # The profile says the person still lives abroad (a planned return, not a return).
    lives_abroad: bool = False
    # Programmes: None where unknown (the public self-check); an empty accepted list means the
    # product requires none (DOMAIN.md, "Entrepreneurship programmes").
    accepted_programmes: list[int] | None = None
    enrolled_programmes: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    rule: str
    verdict: str
    reason: str
    facts: dict

    def as_dict(self) -> dict:
        # JSON-safe whatever a rule put in its facts (a date, a Decimal): storing never fails.
        return json.loads(json.dumps(asdict(self), default=str))


# --- the rules --------------------------------------------------------------------------


def rule_adult(f: Facts) -> Verdict:
    if f.birth_date is None:
        return Verdict("adult", FAIL, "birth_date_missing", {})
    age = age_on(f.birth_date, f.today)
    ok = age >= ADULT_AGE
    return Verdict("adult", PASS if ok else FAIL, "adult" if ok else "minor", {"age": age})


def rule_colombian_document(f: Facts) -> Verdict:
    facts = {"document_type": f.document_type, "colombian_national": f.is_colombian_national}
    if f.is_colombian_national is False:
        return Verdict("colombian_document", FAIL, "not_colombian", facts)
    if f.document_type == DocumentType.CEDULA_CIUDADANIA:
        return Verdict("colombian_document", PASS, "cedula", facts)
    if f.document_type == DocumentType.PASAPORTE and f.is_colombian_national:
        return Verdict("colombian_document", PASS, "colombian_passport", facts)
    return Verdict("colombian_document", FAIL, "document_not_colombian", facts)


def _exception(f: Facts) -> bool:
    return bool(f.forced_return) or f.return_type in (ReturnType.HUMANITARIO, ReturnType.SOLIDARIO)


def rule_years_abroad(f: Facts) -> Verdict:
    if f.departure_date is None:
        # Deported people often do not know the day they left: the commission reviews it.
        if _exception(f):
            return Verdict("years_abroad", REVIEW, "departure_date_missing_exception", {})
        return Verdict("years_abroad", FAIL, "return_dates_missing", {})
    if f.return_date is None and not f.lives_abroad:
        return Verdict("years_abroad", FAIL, "return_dates_missing", {})
    years = dates.years_abroad(f.departure_date, f.return_date, f.today)
    facts = {"years": years, "required": f.min_years_abroad}
    if years >= f.min_years_abroad:
        return Verdict("years_abroad", PASS, "enough_years", facts)
    if _exception(f):
        return Verdict("years_abroad", REVIEW, "short_stay_exception", facts)
    return Verdict("years_abroad", FAIL, "short_stay", facts)


def rule_returned(f: Facts) -> Verdict | None:
    """A return that has not happened yet is never a return (a planned date is a plan)."""
    if f.return_date is None and not f.lives_abroad:
        return None
    facts = {"return_date": f.return_date.isoformat() if f.return_date else None}
    if f.lives_abroad or not dates.has_returned(f.return_date, f.today):
        return Verdict("returned", FAIL, "not_back_yet", facts)
    return Verdict("returned", PASS, "back_in_colombia", facts)


def rule_country(f: Facts) -> Verdict:
    facts = {"country": f.country_returned_from, "accepted": f.accepted_countries}
    if not f.country_returned_from:
        return Verdict("country", FAIL, "country_missing", facts)
    ok = not f.accepted_countries or f.country_returned_from in f.accepted_countries
    return Verdict("country", PASS if ok else FAIL, "country_accepted" if ok else "country_not_accepted", facts)


def rule_return_type(f: Facts) -> Verdict:
    facts = {"return_type": f.return_type, "eligible": f.eligible_return_types}
    if not f.return_type:
        return Verdict("return_type", FAIL, "return_type_missing", facts)
    ok = not f.eligible_return_types or f.return_type in f.eligible_return_types
    return Verdict("return_type", PASS if ok else FAIL, "return_type_ok" if ok else "return_type_not_eligible", facts)


def rule_applied_in_time(f: Facts) -> Verdict:
    if f.return_date is None:
        if f.lives_abroad:
            return Verdict("applied_in_time", FAIL, "window_not_open", {})
        return Verdict("applied_in_time", FAIL, "return_dates_missing", {})
    deadline = dates.apply_by(f.return_date, f.max_months_since_return)
    facts = {"return_date": f.return_date.isoformat(), "deadline": deadline.isoformat()}
    if not dates.has_returned(f.return_date, f.today):
        return Verdict("applied_in_time", FAIL, "window_not_open", facts)
    ok = f.today <= deadline
    return Verdict("applied_in_time", PASS if ok else FAIL, "in_time" if ok else "too_late", facts)


def rule_rur(f: Facts) -> Verdict:
    ok = bool((f.rur_number or "").strip())
    return Verdict("rur", PASS if ok else REVIEW, "rur_given" if ok else "rur_missing", {})


def rule_declarations(f: Facts) -> Verdict:
    ok = f.declarations_complete
    return Verdict("declarations", PASS if ok else FAIL, "declared" if ok else "declarations_missing", {})


def rule_one_application(f: Facts) -> Verdict | None:
    if f.other_open_applications is None:
        return None
    ok = f.other_open_applications == 0
    return Verdict(
        "one_application",
        PASS if ok else FAIL,
        "no_other_application" if ok else "other_application_open",
        {"others": f.other_open_applications},
    )


def rule_unique_identity(f: Facts) -> Verdict | None:
    if f.duplicate_identity_accounts is None:
        return None
    ok = f.duplicate_identity_accounts == 0
    return Verdict(
        "unique_identity",
        PASS if ok else REVIEW,
        "identity_unique" if ok else "possible_duplicate_identity",
        {"other_accounts": f.duplicate_identity_accounts},
    )


def rule_loan_request(f: Facts) -> Verdict | None:
    if f.loan_request_errors is None:
        return None
    ok = not f.loan_request_errors
    return Verdict(
        "loan_request",
        PASS if ok else FAIL,
        "request_within_product" if ok else "request_outside_product",
        {"errors": {k: str(v) for k, v in f.loan_request_errors.items()}},
    )


def rule_plan_complete(f: Facts) -> Verdict | None:
    if f.plan_missing is None:
        return None
    ok = not f.plan_missing
    return Verdict(
        "plan_complete",
        PASS if ok else FAIL,
        "plan_complete" if ok else "plan_incomplete",
        {"missing": f.plan_missing},
    )


def rule_documents(f: Facts) -> Verdict | None:
    if f.missing_documents is None:
        return None
    ok = not f.missing_documents
    return Verdict(
        "documents",
        PASS if ok else FAIL,
        "documents_complete" if ok else "documents_missing",
        {"missing": f.missing_documents},
    )


def rule_covered_department(f: Facts) -> Verdict | None:
    if f.business_department is None:
        return None
    facts = {"department": f.business_department, "covered": f.covered_departments}
    ok = not f.covered_departments or f.business_department in f.covered_departments
    return Verdict("covered_department", PASS if ok else FAIL, "covered" if ok else "not_covered", facts)


def rule_profile_unchanged(f: Facts) -> Verdict | None:
    if f.profile_changed_since_submission is None:
        return None
    changed = f.profile_changed_since_submission
    return Verdict(
        "profile_unchanged", REVIEW if changed else PASS, "profile_changed" if changed else "profile_unchanged", {}
    )


def rule_product_open(f: Facts) -> Verdict | None:
    if f.product_active is None:
        return None
    ok = f.product_active
    return Verdict("product_open", PASS if ok else REVIEW, "product_open" if ok else "product_closed", {})


def rule_programme_enrolled(f: Facts) -> Verdict | None:
    if f.accepted_programmes is None:
        return None
    facts = {"accepted": f.accepted_programmes, "enrolled": f.enrolled_programmes}
    if not f.accepted_programmes:
        return Verdict("programme_enrolled", PASS, "no_programme_required", facts)
    ok = bool(set(f.accepted_programmes) & set(f.enrolled_programmes))
    return Verdict(
        "programme_enrolled",
        PASS if ok else FAIL,
        "enrolled_in_programme" if ok else "not_enrolled_in_programme",
        facts,
    )


RULES: tuple[Callable[[Facts], Verdict | None], ...] = (
    rule_adult,
    rule_colombian_document,
    rule_returned,
    rule_years_abroad,
    rule_country,
    rule_return_type,
    rule_applied_in_time,
    rule_rur,
    rule_one_application,
    rule_unique_identity,
    rule_loan_request,
    rule_plan_complete,
    rule_documents,
    rule_covered_department,
    rule_declarations,
    rule_profile_unchanged,
    rule_product_open,
    rule_programme_enrolled,
)


def evaluate(facts: Facts, rules=None) -> tuple[str, list[Verdict]]:
    """Run every rule; a rule that raises becomes a 'review' with the error, never a lost check."""
    verdicts: list[Verdict] = []
    for rule in RULES if rules is None else rules:
        try:
            verdict = rule(facts)
            if verdict is not None and not isinstance(verdict, Verdict):
                raise TypeError(f"a rule must return a Verdict or None, not {type(verdict).__name__}")
        except Exception as error:  # noqa: BLE001 - any fault in a rule is recorded for an officer
            name = getattr(rule, "__name__", repr(rule)).removeprefix("rule_")
            verdict = Verdict(name, REVIEW, "rule_error", {"error": repr(error)[:300]})
        if verdict is not None:
            verdicts.append(verdict)
    return outcome_of(verdicts), verdicts


def outcome_of(verdicts: list[Verdict]) -> str:
    if any(v.verdict == FAIL for v in verdicts):
        return "ineligible"
    if any(v.verdict == REVIEW for v in verdicts):
        return "review"
    return "eligible"


@dataclass(frozen=True)
class Check:
    """One run of the ruleset over a stored application, ready to be saved as a result."""

    outcome: str
    verdicts: list[Verdict]
    started_at: datetime
    duration_ms: int
    ruleset_version: str = RULESET_VERSION


def ruleset_fingerprint(*gatherers: Callable) -> str:
    """A digest of the rules' source, their order, how facts are gathered (``gatherers``: the
    functions that build ``Facts``, kept by the callers that own the data) and the reason codes
    (see RULESET_VERSION)."""
    digest = hashlib.sha256()
    for rule in RULES:
        digest.update(inspect.getsource(rule).encode())
    for gatherer in gatherers:
        digest.update(inspect.getsource(gatherer).encode())
    digest.update(",".join(sorted(REASONS)).encode())
    return digest.hexdigest()[:16]


# --- what the applicant reads -----------------------------------------------------------

# reason code -> (what it means, what to do next). Shown to applicants and officers.
REASONS: dict[str, tuple] = {
    "minor": (_("You must be 18 or older."), _("You can apply when you turn 18.")),
    "birth_date_missing": (_("Your birth date is missing."), _("Add it in the identity step of your profile.")),
    "not_colombian": (
        _("The programme is for Colombian nationals."),
        _("If you are Colombian, correct the identity step of your profile."),
    ),
    "document_not_colombian": (
        _("Your document is not a Colombian cédula or passport."),
        _("Register with your cédula de ciudadanía or your Colombian passport."),
    ),
    "return_dates_missing": (
        _("The dates of your stay abroad are missing."),
        _("Add them in the return step of your profile."),
    ),
    "short_stay": (
        _("You lived abroad less than the required years."),
        _(
            "Ley 1565 asks for at least 3 years abroad. Upload your certificate of migratory movements "
            "from Migración Colombia if your dates are wrong."
        ),
    ),
    "short_stay_exception": (
        _("You lived abroad less than the required years, but your return was forced or humanitarian."),
        _(
            "An officer will review your case. Upload your certificate of migratory movements and any proof "
            "of the forced or humanitarian return."
        ),
    ),
    "departure_date_missing_exception": (
        _("The date you left Colombia is missing, and your return was forced or humanitarian."),
        _(
            "An officer will review your case. Upload your certificate of migratory movements from "
            "Migración Colombia, which shows the date you left."
        ),
    ),
    "not_back_yet": (
        _("You have not come back to Colombia yet."),
        _(
            "When you are back and registered in the RUR you would qualify; apply within 12 months of your "
            "return. Meanwhile you can enrol in a virtual programme and prepare your business plan."
        ),
    ),
    "planned_return": (
        _("You have not come back yet: this answer is for the return date you plan."),
        _(
            "When you are back and registered in the RUR you would qualify; apply within 12 months of your "
            "return. Meanwhile you can create an account, enrol in a virtual programme and prepare your plan."
        ),
    ),
    "window_not_open": (
        _("The time to apply starts on the day you come back."),
        _("Apply within 12 months of your return; update the return date in your profile when you are back."),
    ),
    "not_enrolled_in_programme": (
        _("You are not enrolled in an entrepreneurship programme this loan accepts."),
        _(
            "Enrol in one of the accepted programmes (a place in a cohort, not the waiting list) under "
            "“Entrepreneurship programmes”, then send the application again."
        ),
    ),
    "country_missing": (_("The country you returned from is missing."), _("Add it in the return step.")),
    "country_not_accepted": (
        _("This loan does not accept returns from that country."),
        _("Look at the other products, or ask the programme for advice."),
    ),
    "return_type_missing": (
        _("Your return type is missing."),
        _("Choose it in the return step of your profile."),
    ),
    "return_type_not_eligible": (
        _("This loan is not for your return type."),
        _("Check the return type in your profile or choose another product."),
    ),
    "too_late": (
        _("More than the allowed months have passed since you came back."),
        _("The request must be made within 12 months of settling back in Colombia."),
    ),
    "rur_missing": (
        _("You did not give your number in the Registro Único de Retornados (RUR)."),
        _(
            "Register in the RUR through Cancillería (Colombia Nos Une) and add the number to your profile; "
            "an officer will check it meanwhile."
        ),
    ),
    "other_application_open": (
        _("You already have another open, approved or disbursed application."),
        _("The benefit is used once. Withdraw the other application if you want to continue with this one."),
    ),
    "possible_duplicate_identity": (
        _("Your document number is used by another account."),
        _("An officer will check it. If you created two accounts, tell the officer which one to keep."),
    ),
    "request_outside_product": (
        _("The amount, term or grace is outside what the product allows."),
        _("Change the loan request."),
    ),
    "plan_incomplete": (_("Your business plan is not complete."), _("Complete the missing parts of the plan.")),
    "documents_missing": (_("Required documents are missing."), _("Upload the missing documents.")),
    "not_covered": (
        _("The product does not cover the department of your business."),
        _("Look at the products for your department."),
    ),
    "declarations_missing": (
        _("You have not accepted all the declarations."),
        _("Read and accept the declarations of your profile and application."),
    ),
    "profile_changed": (
        _("Your profile changed after you sent the application."),
        _("An officer will review the change; you do not need to do anything."),
    ),
    "product_closed": (
        _("The loan product was closed after you sent the application."),
        _("An officer will tell you how your application continues; you do not need to do anything."),
    ),
    "rule_error": (
        _("This point could not be checked automatically."),
        _("An officer will review it; you do not need to do anything."),
    ),
}

RULE_TITLES: dict[str, object] = {
    "adult": _("Age 18 or over"),
    "colombian_document": _("Colombian national"),
    "returned": _("Back in Colombia"),
    "years_abroad": _("Years lived abroad"),
    "country": _("Country of return"),
    "return_type": _("Return type"),
    "applied_in_time": _("Applied within the time after return"),
    "rur": _("Registro Único de Retornados"),
    "one_application": _("One application only"),
    "unique_identity": _("Identity not used by another account"),
    "loan_request": _("Amount and term within the product"),
    "plan_complete": _("Business plan complete"),
    "documents": _("Required documents"),
    "covered_department": _("Department covered"),
    "declarations": _("Declarations accepted"),
    "profile_unchanged": _("Profile unchanged since sending"),
    "product_open": _("Product still open"),
    "programme_enrolled": _("Enrolled in an accepted programme"),
    "facts": _("Data of the application"),
}


def explain(verdict: dict) -> dict:
    """A stored verdict with its title, meaning and next step in the active language."""
    meaning, next_step = REASONS.get(verdict["reason"], ("", ""))
    return {
        **verdict,
        "title": RULE_TITLES.get(verdict["rule"], verdict["rule"]),
        "meaning": meaning,
        "next_step": next_step,
    }


# The rules a person can answer before registering (public self-check; nothing is stored).
SELF_CHECK_RULES = (rule_adult, rule_colombian_document, rule_years_abroad, rule_applied_in_time, rule_rur)

# The self-check's answer for someone who has not come back yet: never "eligible" today.
PLANNED = "planned"


def self_check(
    *,
    birth_date,
    is_colombian_national,
    document_type,
    departure_date,
    return_date,
    forced_return,
    return_type,
    rur_number,
    today=None,
) -> tuple[str, list[Verdict]]:
    """Judge the answers as of today; a return date still ahead is judged as a plan.

    For a planned return the rules run as of the planned day (years abroad up to then, the
    12-month window opening then) and the outcome is ``planned`` ("when you are back and
    registered in the RUR you would qualify") or ``ineligible``, never ``eligible``.
    """
    facts = Facts(
        today=today or timezone.localdate(),
        birth_date=birth_date,
        is_colombian_national=is_colombian_national,
        document_type=document_type,
        departure_date=departure_date,
        return_date=return_date,
        forced_return=forced_return,
        return_type=return_type,
        rur_number=rur_number or "",
    )
    if return_date is None or dates.has_returned(return_date, facts.today):
        return evaluate(facts, rules=SELF_CHECK_RULES)
    outcome, verdicts = evaluate(replace(facts, today=return_date), rules=SELF_CHECK_RULES)
    deadline = dates.apply_by(return_date, facts.max_months_since_return)
    planned = Verdict(
        "returned",
        PLANNED,
        "planned_return",
        {"return_date": return_date.isoformat(), "deadline": deadline.isoformat()},
    )
    return (outcome if outcome == "ineligible" else PLANNED), [planned, *verdicts]
