"""The bank file import in the admin: all or nothing, once per bank reference, approvers only."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from loans.models import LoanInstalment, Repayment
from loans.review import services as review
from tests.review.admin_pages import flash_messages, staff_client

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:loans_repayment_import")
HEADER = "loan_reference,paid_on,amount,bank_reference"


@pytest.fixture
def loan(in_review, program_officer, approver):
    review.application_recommend(application=in_review, officer=program_officer)
    review.application_approve(application=in_review, approver=approver)
    return review.application_disburse(
        application=in_review,
        approver=approver,
        disbursed_on=date(2026, 1, 10),
        amount=10_000_000,
        bank_reference="DESEMBOLSO-1",
    )


def _file(*rows: str, encoding: str = "utf-8", name: str = "banco.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *rows]) + "\n").encode(encoding), content_type="text/csv")


def _good_rows(loan) -> list[str]:
    reference = loan.application.reference
    return [f"{reference},2026-02-10,150000,BCO-001", f'{reference},2026-03-10,"1.250.000",BCO-002']


def _paid(loan) -> list[tuple[int, int]]:
    return list(
        LoanInstalment.objects.filter(loan=loan).order_by("number").values_list("paid_interest", "paid_principal")
    )


def _errors(response) -> list[str]:
    return list(response.context["report"].errors)


def test_an_approver_opens_the_import_page_from_the_repayments_list(approver):
    client = staff_client(approver)
    listing = client.get(reverse("admin:loans_repayment_changelist"))
    assert listing.status_code == 200
    assert f'href="{IMPORT}"' in listing.text
    page = client.get(IMPORT)
    assert page.status_code == 200
    assert page.context["report"] is None
    assert list(page.context["form"].fields) == ["file"]


def test_a_good_file_applies_every_payment(loan, approver):
    response = staff_client(approver).post(IMPORT, {"file": _file(*_good_rows(loan))})
    assert response.status_code == 200
    assert flash_messages(response) == ["2 payment(s) applied, 0 already imported."]
    report = response.context["report"]
    assert (report.applied, report.duplicates, report.errors) == (2, 0, [])
    rows = list(
        Repayment.objects.order_by("bank_reference").values_list(
            "bank_reference", "loan", "paid_on", "amount", "source", "recorded_by"
        )
    )
    assert rows == [
        ("BCO-001", loan.pk, date(2026, 2, 10), 150_000, "bank_file", approver.pk),
        ("BCO-002", loan.pk, date(2026, 3, 10), 1_250_000, "bank_file", approver.pk),
    ]
    for repayment in Repayment.objects.all():
        assert repayment.allocated_interest + repayment.allocated_principal + repayment.unallocated == repayment.amount
    assert sum(i + p for i, p in _paid(loan)) == 1_400_000


def test_the_same_file_again_applies_nothing_twice(loan, approver):
    client = staff_client(approver)
    client.post(IMPORT, {"file": _file(*_good_rows(loan))})
    paid_once = _paid(loan)

    response = client.post(IMPORT, {"file": _file(*_good_rows(loan))})

    assert flash_messages(response)[-1] == "0 payment(s) applied, 2 already imported."
    assert (response.context["report"].applied, response.context["report"].duplicates) == (0, 2)
    assert Repayment.objects.count() == 2
    assert _paid(loan) == paid_once


def test_a_file_with_old_and_new_lines_applies_only_the_new(loan, approver):
    client = staff_client(approver)
    client.post(IMPORT, {"file": _file(_good_rows(loan)[0])})
    response = client.post(IMPORT, {"file": _file(*_good_rows(loan))})
    assert flash_messages(response)[-1] == "1 payment(s) applied, 1 already imported."
    assert sorted(Repayment.objects.values_list("bank_reference", flat=True)) == ["BCO-001", "BCO-002"]


def test_a_broken_file_lists_every_error_by_line_and_applies_nothing(loan, approver):
    reference = loan.application.reference
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = staff_client(approver).post(
        IMPORT,
        {
            "file": _file(
                f"{reference},2026-02-10,150000,BCO-001",  # line 2: good, yet not applied
                f"{reference},10/02/2026,150000,BCO-002",
                f"{reference},2026-02-11,-5,BCO-003",
                f"{reference},2026-02-12,150000,",
                f"{reference},2026-02-13,150000,BCO-001",
                "RP-2020-999999,2026-02-14,150000,BCO-006",
                f"{reference},{tomorrow},150000,BCO-007",
                f"{reference},2026-02-15,cien mil,BCO-008",
            )
        },
    )
    assert response.status_code == 200
    assert flash_messages(response) == ["Nothing was applied: correct the lines below and import again."]
    assert _errors(response) == [
        "Line 3: the date must be YYYY-MM-DD.",
        "Line 4: the amount must be a whole number of pesos above zero.",
        "Line 5: the bank reference is empty.",
        "Line 6: the bank reference BCO-001 appears twice in the file.",
        "Line 7: no disbursed loan with reference RP-2020-999999.",
        "Line 8: the date is in the future.",
        "Line 9: the amount must be a whole number of pesos above zero.",
    ]
    for error in _errors(response):
        assert f"<li>{error}</li>" in response.text
    assert not Repayment.objects.exists()
    assert all(paid == (0, 0) for paid in _paid(loan))


@pytest.mark.parametrize("amount", ["150000.00", "150.000,00", "1500,5", "15.00.000"])
def test_an_amount_with_cents_or_odd_grouping_is_refused_not_multiplied(loan, approver, amount):
    reference = loan.application.reference
    response = staff_client(approver).post(IMPORT, {"file": _file(f'{reference},2026-02-10,"{amount}",BCO-001')})
    assert _errors(response) == ["Line 2: the amount must be a whole number of pesos above zero."]
    assert not Repayment.objects.exists()


@pytest.mark.parametrize(("amount", "pesos"), [("150000", 150_000), ("150.000", 150_000), ("1,250,000", 1_250_000)])
def test_thousands_separators_are_accepted(loan, approver, amount, pesos):
    reference = loan.application.reference
    staff_client(approver).post(IMPORT, {"file": _file(f'{reference},2026-02-10,"{amount}",BCO-001')})
    assert list(Repayment.objects.values_list("amount", flat=True)) == [pesos]


def test_missing_columns_are_named(loan, approver):
    upload = SimpleUploadedFile("banco.csv", b"loan_reference,paid_on\nRP-1,2026-02-10\n", content_type="text/csv")
    response = staff_client(approver).post(IMPORT, {"file": upload})
    assert _errors(response) == ["Missing columns: amount, bank_reference."]
    assert not Repayment.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(loan, approver):
    reference = loan.application.reference
    upload = _file(f"{reference},2026-02-10,150000,PAGO-MUÑOZ", encoding="latin-1")
    response = staff_client(approver).post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert _errors(response) == ["The file is not UTF-8 text. Export it from the bank as CSV (UTF-8)."]
    assert flash_messages(response) == ["Nothing was applied: correct the lines below and import again."]
    assert not Repayment.objects.exists()


def test_a_utf8_file_with_a_byte_order_mark_is_read(loan, approver):
    reference = loan.application.reference
    upload = _file(f"{reference},2026-02-10,150000,PAGO-MUÑOZ", encoding="utf-8-sig")
    staff_client(approver).post(IMPORT, {"file": upload})
    assert list(Repayment.objects.values_list("bank_reference", flat=True)) == ["PAGO-MUÑOZ"]


def test_a_file_above_5_mb_is_refused(loan, approver):
    upload = SimpleUploadedFile("grande.csv", b"x" * (5 * 1024 * 1024 + 1), content_type="text/csv")
    response = staff_client(approver).post(IMPORT, {"file": upload})
    assert response.context["form"].errors == {"file": ["The file is larger than 5 MB; split it."]}
    assert response.context["report"] is None
    assert not Repayment.objects.exists()


@pytest.mark.parametrize("role", ["program_officer", "analyst"])
def test_without_add_repayment_the_import_is_forbidden(loan, role, request):
    user = request.getfixturevalue(role)
    assert not user.has_perm("loans.add_repayment")
    client = staff_client(user)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": _file(*_good_rows(loan))}).status_code == 403
    assert not Repayment.objects.exists()


def test_an_officer_given_add_repayment_may_import(loan, program_officer):
    from django.contrib.auth.models import Permission

    program_officer.user_permissions.add(Permission.objects.get(codename="add_repayment"))
    response = staff_client(program_officer).post(IMPORT, {"file": _file(*_good_rows(loan))})
    assert response.context["report"].applied == 2


def test_a_password_alone_cannot_import(loan, approver):
    client = Client()
    client.force_login(approver)
    response = client.post(IMPORT, {"file": _file(*_good_rows(loan))})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={IMPORT}"
    assert not Repayment.objects.exists()
