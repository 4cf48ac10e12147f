"""Decisions, notes, scores and personal data on the officer's application page in the admin."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from loans.applications import services
from loans.applications.workflow import transition
from loans.choices import ApplicationStatus as S
from loans.models import (
    ApplicationEvent,
    ApplicationMessage,
    ApplicationScore,
    FollowUpVisit,
    Loan,
    LoanApplication,
    LoanInstalment,
    ReviewNote,
    ScoringCriterion,
)
from loans.products.schedule import schedule_for
from loans.review import services as review
from tests.review.admin_pages import flash_messages, queued_application, staff_client

pytestmark = pytest.mark.django_db

ALL_ACTIONS = ["request_info", "recommend", "reject", "approve", "send_back", "override", "disburse"]
REFUSED = {
    "program_officer": ["approve", "send_back", "disburse"],
    "approver": ["request_info", "recommend", "reject", "override"],
    "analyst": ALL_ACTIONS,
}
VALID_POST = {
    "request_info": {"message": "Suba el certificado de Migración Colombia."},
    "recommend": {"note": "Plan viable", "amount": "", "term_months": ""},
    "reject": {"reason_code": "capacity", "message": "Sus ingresos no alcanzan para la cuota."},
    "approve": {"note": "De acuerdo"},
    "send_back": {"reason": "Falta verificar el arriendo del local."},
    "override": {"reason": "Retorno forzado documentado: excepción aprobada por el comité."},
    "disburse": {"disbursed_on": "2026-03-15", "amount": "10000000", "bank_reference": "TRX-0001"},
}


def _decide_url(application, action):
    return reverse("admin:loans_loanapplication_decide", args=[application.pk, action])


def _page_url(application):
    return reverse("admin:loans_loanapplication_change", args=[application.pk])


def _offered(response, application) -> list[str]:
    """The decision buttons on the application page, in order."""
    prefix = re.escape(f"/admin/loans/loanapplication/{application.pk}/decide/")
    return re.findall(prefix + r"(\w+)/", response.text)


def _status(application) -> str:
    return LoanApplication.objects.values_list("status", flat=True).get(pk=application.pk)


def _events(application) -> list[tuple[str, str]]:
    return list(
        ApplicationEvent.objects.filter(application=application).order_by("pk").values_list("from_status", "to_status")
    )


@pytest.fixture
def roles(program_officer, approver, analyst):
    return {"program_officer": program_officer, "approver": approver, "analyst": analyst}


@pytest.fixture
def recommended(in_review, program_officer):
    review.application_recommend(application=in_review, officer=program_officer, note="Viable")
    return in_review


@pytest.fixture
def approved(recommended, approver):
    review.application_approve(application=recommended, approver=approver)
    return recommended


# --- who may decide what --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "action"), [(role, action) for role, actions in REFUSED.items() for action in actions]
)
def test_a_decision_outside_the_role_is_forbidden(roles, in_review, role, action):
    client = staff_client(roles[role])
    before = _events(in_review)
    assert client.get(_decide_url(in_review, action)).status_code == 403
    assert client.post(_decide_url(in_review, action), VALID_POST[action]).status_code == 403
    assert _status(in_review) == S.IN_REVIEW
    assert _events(in_review) == before


def test_an_unknown_decision_is_forbidden(in_review, program_officer):
    response = staff_client(program_officer).post(_decide_url(in_review, "delete"), {})
    assert response.status_code == 403
    assert _status(in_review) == S.IN_REVIEW


def test_an_officer_asks_for_information(in_review, program_officer):
    client = staff_client(program_officer)
    form_page = client.get(_decide_url(in_review, "request_info"))
    assert form_page.status_code == 200
    assert f"Request information — {in_review.reference}" in form_page.text

    response = client.post(_decide_url(in_review, "request_info"), VALID_POST["request_info"])
    assert response.status_code == 302
    assert response["Location"] == _page_url(in_review)
    assert flash_messages(response) == ["Done: Request information."]
    in_review.refresh_from_db()
    assert in_review.status == S.INFO_REQUESTED
    assert in_review.info_requested_at is not None
    assert list(ApplicationMessage.objects.values_list("sender", "from_applicant", "body")) == [
        (program_officer.pk, False, "Suba el certificado de Migración Colombia.")
    ]
    event = ApplicationEvent.objects.filter(application=in_review).last()
    assert (event.actor, event.from_status, event.to_status, event.message_to_applicant) == (
        program_officer,
        S.IN_REVIEW,
        S.INFO_REQUESTED,
        "Suba el certificado de Migración Colombia.",
    )


def test_an_empty_question_is_a_form_error_and_changes_nothing(in_review, program_officer):
    response = staff_client(program_officer).post(_decide_url(in_review, "request_info"), {"message": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"message": ["This field is required."]}
    assert _status(in_review) == S.IN_REVIEW
    assert not ApplicationMessage.objects.exists()


def test_an_officer_recommends_a_lower_amount_and_another_term(in_review, program_officer):
    response = staff_client(program_officer).post(
        _decide_url(in_review, "recommend"), {"note": "Viable con menos", "amount": "8000000", "term_months": "18"}
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.recommended_by, in_review.recommended_amount) == (
        S.RECOMMENDED,
        program_officer,
        8_000_000,
    )
    assert in_review.recommended_term_months == 18
    assert ApplicationEvent.objects.filter(application=in_review).last().reason == "Viable con menos"


def test_a_recommendation_above_the_request_is_refused_with_a_message(in_review, program_officer):
    response = staff_client(program_officer).post(
        _decide_url(in_review, "recommend"), {"note": "", "amount": str(in_review.amount + 1), "term_months": ""}
    )
    assert response.status_code == 302
    assert flash_messages(response) == ["The recommended amount cannot be higher than the amount requested."]
    assert _status(in_review) == S.IN_REVIEW


def test_an_officer_rejects(in_review, program_officer):
    response = staff_client(program_officer).post(_decide_url(in_review, "reject"), VALID_POST["reject"])
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.rejection_reason) == (S.REJECTED, "capacity")
    assert in_review.decided_at is not None


def test_an_officer_overrides_an_ineligible_result_only_with_a_long_reason(in_review, program_officer):
    transition(in_review, S.INELIGIBLE, reason="eligibility: ineligible")
    client = staff_client(program_officer)
    short = client.post(_decide_url(in_review, "override"), {"reason": "Es un caso especial"})
    assert short.status_code == 200
    assert list(short.context["form"].errors) == ["reason"]
    assert _status(in_review) == S.INELIGIBLE

    response = client.post(_decide_url(in_review, "override"), VALID_POST["override"])
    assert response.status_code == 302
    assert _status(in_review) == S.IN_REVIEW
    event = ApplicationEvent.objects.filter(application=in_review).last()
    assert (event.actor, event.reason) == (program_officer, VALID_POST["override"]["reason"])


def test_an_approver_approves_what_an_officer_recommended(recommended, approver, program_officer):
    response = staff_client(approver).post(_decide_url(recommended, "approve"), {"note": "De acuerdo"})
    assert response.status_code == 302
    assert flash_messages(response) == ["Done: Approve."]
    recommended.refresh_from_db()
    assert (recommended.status, recommended.recommended_by, recommended.approved_by) == (
        S.APPROVED,
        program_officer,
        approver,
    )


def test_the_disbursement_form_creates_the_loan_with_its_schedule(approved, approver):
    client = staff_client(approver)
    form_page = client.get(_decide_url(approved, "disburse"))
    assert form_page.status_code == 200
    assert form_page.context["form"].initial == {"amount": approved.amount}

    response = client.post(
        _decide_url(approved, "disburse"),
        {"disbursed_on": "2026-03-15", "amount": "9000000", "bank_reference": "  TRX-0001 "},
    )
    assert response.status_code == 302
    assert flash_messages(response) == ["Done: Disburse."]
    assert _status(approved) == S.DISBURSED
    loan = Loan.objects.get()
    assert (loan.application_id, loan.principal, loan.bank_reference, loan.disbursed_by) == (
        approved.pk,
        9_000_000,
        "TRX-0001",
        approver,
    )
    assert (loan.disbursed_on, loan.term_months, loan.grace_months) == (date(2026, 3, 15), 24, 3)
    schedule = schedule_for(
        approved.product, amount=9_000_000, term_months=24, grace_months=3, start=date(2026, 3, 15)
    )
    instalments = list(
        LoanInstalment.objects.filter(loan=loan)
        .order_by("number")
        .values_list("number", "due_date", "interest", "principal", "payment", "state_paid")
    )
    assert instalments == [
        (row.number, row.due_date, row.interest, row.principal, row.payment, row.state_paid)
        for row in schedule.instalments
    ]
    assert [row[0] for row in instalments] == list(range(1, 25))
    assert (instalments[0][1], instalments[-1][1]) == (date(2026, 4, 15), date(2028, 3, 15))
    assert sum(row[3] for row in instalments) == 9_000_000
    assert FollowUpVisit.objects.filter(loan=loan).count() == 3


def test_a_disbursement_above_the_approved_amount_is_refused(approved, approver):
    response = staff_client(approver).post(
        _decide_url(approved, "disburse"),
        {"disbursed_on": "2026-03-15", "amount": str(approved.amount + 1), "bank_reference": "TRX-0002"},
    )
    assert response.status_code == 302
    assert flash_messages(response) == ["The amount must be positive and at most the approved amount."]
    assert _status(approved) == S.APPROVED
    assert not Loan.objects.exists()


def test_a_bank_reference_already_used_is_refused_even_with_spaces_around_it(approved, approver, product):
    staff_client(approver).post(_decide_url(approved, "disburse"), VALID_POST["disburse"])
    other = queued_application(product=product, status=S.APPROVED)
    with pytest.raises(review.ReviewError, match="already used for another disbursement"):
        review.application_disburse(
            application=other, approver=approver, disbursed_on=date(2026, 3, 15), amount=1, bank_reference=" TRX-0001 "
        )
    assert _status(other) == S.APPROVED
    assert list(Loan.objects.values_list("application", flat=True)) == [approved.pk]


# --- the decisions section ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (S.IN_REVIEW, "program_officer", ["request_info", "recommend", "reject"]),
        (S.IN_REVIEW, "approver", []),
        (S.INFO_REQUESTED, "program_officer", ["reject"]),
        (S.INFO_REQUESTED, "approver", []),
        (S.RECOMMENDED, "program_officer", ["reject"]),
        (S.RECOMMENDED, "approver", ["approve", "send_back"]),
        (S.APPROVED, "program_officer", []),
        (S.APPROVED, "approver", ["disburse"]),
        (S.INELIGIBLE, "program_officer", ["override"]),
        (S.INELIGIBLE, "approver", []),
        (S.DISBURSED, "program_officer", []),
        (S.DISBURSED, "approver", []),
        (S.REJECTED, "program_officer", []),
        (S.WITHDRAWN, "approver", []),
    ],
)
def test_the_page_offers_exactly_the_decisions_open_to_the_user(roles, product, status, role, expected):
    application = queued_application(product=product, status=status)
    response = staff_client(roles[role]).get(_page_url(application))
    assert response.status_code == 200
    assert _offered(response, application) == expected
    assert ("No decision is open to you in this status." in response.text) == (not expected)


def test_an_analyst_cannot_open_the_application_page(analyst, in_review):
    assert staff_client(analyst).get(_page_url(in_review)).status_code == 403


def test_a_decision_that_is_not_open_in_this_status_sends_back_to_the_page(in_review, approver):
    response = staff_client(approver).get(_decide_url(in_review, "approve"))
    assert response.status_code == 302
    assert response["Location"] == _page_url(in_review)
    assert flash_messages(response) == ["No decision is open to you in this status."]


@pytest.fixture
def officer_and_approver(program_officer, approver):
    """One person with both roles: may recommend and may approve, never the same application."""
    program_officer.groups.add(*approver.groups.all())
    return program_officer


def test_the_person_who_recommended_is_not_offered_the_approval(in_review, officer_and_approver, second_approver):
    client = staff_client(officer_and_approver)
    client.post(_decide_url(in_review, "recommend"), VALID_POST["recommend"])
    assert _status(in_review) == S.RECOMMENDED
    assert _offered(client.get(_page_url(in_review)), in_review) == ["reject", "send_back"]
    assert _offered(staff_client(second_approver).get(_page_url(in_review)), in_review) == ["approve", "send_back"]

    response = client.get(_decide_url(in_review, "approve"))
    assert response.status_code == 302
    assert flash_messages(response) == ["No decision is open to you in this status."]


def test_the_person_who_recommended_cannot_approve_and_is_told_why(in_review, officer_and_approver):
    client = staff_client(officer_and_approver)
    client.post(_decide_url(in_review, "recommend"), VALID_POST["recommend"], follow=True)
    before = _events(in_review)

    response = client.post(_decide_url(in_review, "approve"), {"note": ""}, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "You recommended this application; a different person must approve it."
    ]
    assert '<li class="error">You recommended this application; a different person must approve it.</li>' in (
        response.text
    )
    in_review.refresh_from_db()
    assert (in_review.status, in_review.approved_by) == (S.RECOMMENDED, None)
    assert _events(in_review) == before


def test_a_decision_on_an_application_someone_else_moved_says_so(in_review, program_officer):
    from tests.review.conftest import _staff_in

    colleague = _staff_in("Program officer")
    client = staff_client(program_officer)
    assert client.get(_decide_url(in_review, "request_info")).status_code == 200
    review.application_recommend(application=in_review, officer=colleague)

    response = client.post(_decide_url(in_review, "request_info"), VALID_POST["request_info"], follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "This application is now “Recommended”; someone else may have acted on it. Reload the page."
    ]
    assert _status(in_review) == S.RECOMMENDED
    assert not ApplicationMessage.objects.exists()


def test_a_rejection_after_a_colleague_recommended_is_refused(in_review, program_officer):
    from tests.review.conftest import _staff_in

    colleague = _staff_in("Program officer")
    client = staff_client(program_officer)
    form_page = client.get(_decide_url(in_review, "reject"))
    assert form_page.context["form"].initial == {"seen_status": S.IN_REVIEW}
    assert 'name="seen_status" value="in_review"' in form_page.text
    review.application_recommend(application=in_review, officer=colleague)

    response = client.post(
        _decide_url(in_review, "reject"), {**VALID_POST["reject"], "seen_status": S.IN_REVIEW}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "This application is now “Recommended”; someone else may have acted on it. Reload the page."
    ]
    in_review.refresh_from_db()
    assert (in_review.status, in_review.recommended_by, in_review.rejection_reason) == (
        S.RECOMMENDED,
        colleague,
        "",
    )


def test_a_recommended_application_can_still_be_rejected_from_its_page(recommended, program_officer):
    client = staff_client(program_officer)
    seen = client.get(_decide_url(recommended, "reject")).context["form"].initial["seen_status"]
    response = client.post(_decide_url(recommended, "reject"), {**VALID_POST["reject"], "seen_status": seen})
    assert flash_messages(response) == ["Done: Reject."]
    assert _status(recommended) == S.REJECTED


def test_the_applicants_messages_are_on_the_page_not_among_the_admin_notices(in_review, program_officer, owner):
    review.application_request_info(application=in_review, officer=program_officer, message="¿Tiene el RUT?")
    services.application_answer_info(application=in_review, user=owner, message="Sí, ya lo subí.")
    response = staff_client(program_officer).get(_page_url(in_review))
    assert list(response.context["messages"]) == []
    assert 'class="messagelist"' not in response.text
    assert "¿Tiene el RUT?" in response.text
    assert "Sí, ya lo subí." in response.text


# --- notes and scores ------------------------------------------------------------------


def _note_url(application):
    return reverse("admin:loans_loanapplication_note", args=[application.pk])


def _scores_url(application):
    return reverse("admin:loans_loanapplication_scores", args=[application.pk])


@pytest.mark.parametrize("role", ["program_officer", "approver"])
def test_officers_and_approvers_add_internal_notes(roles, in_review, role):
    client = staff_client(roles[role])
    response = client.post(_note_url(in_review), {"body": "Llamé al solicitante; confirma el local."})
    assert response.status_code == 302
    assert response["Location"] == _page_url(in_review)
    assert list(ReviewNote.objects.values_list("application", "author", "body")) == [
        (in_review.pk, roles[role].pk, "Llamé al solicitante; confirma el local.")
    ]
    page = client.get(_page_url(in_review))
    assert "Llamé al solicitante; confirma el local." in page.text
    assert f'action="{_note_url(in_review)}"' in page.text


def test_an_empty_note_is_not_saved(in_review, program_officer):
    staff_client(program_officer).post(_note_url(in_review), {"body": ""})
    assert not ReviewNote.objects.exists()


def test_an_analyst_cannot_add_a_note(in_review, analyst):
    response = staff_client(analyst).post(_note_url(in_review), {"body": "Nota"})
    assert response.status_code == 302
    assert flash_messages(response) == ["You do not have the permission for this decision."]
    assert not ReviewNote.objects.exists()


@pytest.fixture
def criteria(db):
    return [
        ScoringCriterion.objects.create(name="Viabilidad del negocio", weight=3, position=1),
        ScoringCriterion.objects.create(name="Experiencia", weight=1, position=2),
        ScoringCriterion.objects.create(name="Criterio retirado", weight=5, position=3, is_active=False),
    ]


def test_an_officer_scores_and_the_page_shows_the_weighted_score(in_review, program_officer, criteria):
    viability, experience, _retired = criteria
    client = staff_client(program_officer)
    page = client.get(_page_url(in_review))
    assert set(page.context["scores_form"].fields) == {f"c{viability.pk}", f"c{experience.pk}"}
    assert "Scoring</h2>" in page.text  # no score before every criterion is scored

    response = client.post(_scores_url(in_review), {f"c{viability.pk}": "4", f"c{experience.pk}": "2"})
    assert response.status_code == 302
    assert flash_messages(response) == ["Scores saved."]
    assert set(ApplicationScore.objects.values_list("criterion", "score", "scored_by")) == {
        (viability.pk, 4, program_officer.pk),
        (experience.pk, 2, program_officer.pk),
    }
    # (4×3 + 2×1) / (5×3 + 5×1) = 14/20
    assert "Scoring: 70/100</h2>" in client.get(_page_url(in_review)).text

    client.post(_scores_url(in_review), {f"c{viability.pk}": "5", f"c{experience.pk}": "5"})
    assert ApplicationScore.objects.count() == 2
    assert "Scoring: 100/100</h2>" in client.get(_page_url(in_review)).text


def test_a_score_out_of_range_saves_nothing(in_review, program_officer, criteria):
    viability, experience, _retired = criteria
    staff_client(program_officer).post(_scores_url(in_review), {f"c{viability.pk}": "6", f"c{experience.pk}": "2"})
    assert not ApplicationScore.objects.exists()


def test_an_approver_sees_the_score_but_cannot_score(in_review, program_officer, approver, criteria):
    viability, experience, _retired = criteria
    review.scores_save(application=in_review, officer=program_officer, scores={viability.pk: 1, experience.pk: 5})
    client = staff_client(approver)
    page = client.get(_page_url(in_review))
    assert "Scoring: 40/100</h2>" in page.text
    assert f'action="{_scores_url(in_review)}"' not in page.text
    response = client.post(_scores_url(in_review), {f"c{viability.pk}": "5", f"c{experience.pk}": "5"})
    assert flash_messages(response) == ["You do not have the permission for this decision."]
    assert set(ApplicationScore.objects.values_list("score", flat=True)) == {1, 5}


# --- personal data ---------------------------------------------------------------------


@pytest.fixture
def identified(product):
    return queued_application(
        product=product, document_number="1020304050", phone="+573001234567", address="Carrera 45 # 10-20"
    )


def _grant_pii(user):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="loans", codename="view_pii"))


def test_without_the_pii_permission_the_page_masks_document_phone_and_address(identified, program_officer):
    page = staff_client(program_officer).get(_page_url(identified))
    assert (page.context["document_number"], page.context["phone"], page.context["address"]) == (
        "••••••4050",
        "•••••••4567",
        "••••••••••••••0-20",
    )
    assert "••••••4050 <small>(masked)</small>" in page.text
    for clear in ("1020304050", "300 1234567", "3001234567", "Carrera 45"):
        assert clear not in page.text


def test_with_the_pii_permission_the_page_shows_them_in_full(identified, program_officer):
    _grant_pii(program_officer)
    page = staff_client(program_officer).get(_page_url(identified))
    assert (page.context["document_number"], page.context["phone"], page.context["address"]) == (
        "1020304050",
        "300 1234567",
        "Carrera 45 # 10-20",
    )
    assert "(masked)" not in page.text
    assert "Carrera 45 # 10-20" in page.text


PROFILES = reverse("admin:applicants_returneeprofile_changelist")


def test_the_profile_list_masks_document_and_phone_without_the_permission(identified, program_officer):
    page = staff_client(program_officer).get(PROFILES)
    assert page.status_code == 200
    assert "••••••4050" in page.text
    assert "•••••••••4567" in page.text
    assert "1020304050" not in page.text
    assert "3001234567" not in page.text


def test_the_profile_list_shows_document_and_phone_with_the_permission(identified, program_officer):
    _grant_pii(program_officer)
    page = staff_client(program_officer).get(PROFILES)
    assert "1020304050" in page.text
    assert "+573001234567" in page.text
    assert "••••••4050" not in page.text


def test_the_profile_page_does_not_show_the_document_in_clear_without_the_permission(identified, program_officer):
    profile = identified.applicant.profile
    page = staff_client(program_officer).get(reverse("admin:applicants_returneeprofile_change", args=[profile.pk]))
    assert page.status_code == 200
    for clear in ("1020304050", "3001234567", "Carrera 45"):
        assert clear not in page.text
    for masked in ("••••••4050", "•••••••••4567", "0-20"):
        assert masked in page.text


def test_the_profile_page_shows_them_in_full_with_the_permission(identified, program_officer):
    _grant_pii(program_officer)
    profile = identified.applicant.profile
    page = staff_client(program_officer).get(reverse("admin:applicants_returneeprofile_change", args=[profile.pk]))
    for clear in ("1020304050", "+573001234567", "Carrera 45 # 10-20"):
        assert clear in page.text
