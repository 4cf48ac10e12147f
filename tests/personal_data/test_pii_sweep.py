"""The PII sweep: a returnee whose every free-text field and uploaded file carries a marker
goes through profile, plan, application, documents, officer message, note, deletion request
and erasure. Before: the export holds every marker. After: no text, JSON or bytea column of
any table (found by introspection, django-simple-history tables included) and no file in the
upload storage holds one; the open application was withdrawn through the transition."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applicants import personal_data, services
from applicants.models import DeletionRequest, PersonalDataErasure, User
from loans.applications import services as loan_services
from loans.applications.documents import check_upload
from loans.models import ApplicationEvent, InvestmentItem, LoanApplication
from loans.review import services as review
from portal.storage import walk
from tests.factories import CompleteProfileFactory, PlanFactory, ProductFactory, StaffFactory

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]

PREFIX = "PIIMARK"
TEXT_TYPES = {"text", "character varying", "character", "json", "jsonb"}


def marker(name: str) -> str:
    return f"{PREFIX}{name}X"


def _columns() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = ANY(%s)",
            [[*TEXT_TYPES, "bytea"]],
        )
        return cursor.fetchall()


def _rows_with_markers() -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        for table, column, data_type in _columns():
            if data_type == "bytea":
                condition = f"position(convert_to(%s, 'UTF8') in \"{column}\") > 0"  # noqa: S608
            else:
                condition = f'CAST("{column}" AS text) ILIKE %s'  # noqa: S608
            needle = PREFIX if data_type == "bytea" else f"%{PREFIX}%"
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE {condition}', [needle])  # noqa: S608
            count = cursor.fetchone()[0]
            if count:
                found[f"{table}.{column}"] = count
    return found


def _files_with_markers() -> list[str]:
    """Stored files (the disk under MEDIA_ROOT, or the bucket) whose bytes hold a marker."""
    return [name for name in walk(default_storage) if PREFIX.encode() in default_storage.open(name, "rb").read()]


@pytest.fixture
def officer(db):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name="Program officer"))
    return user


@pytest.fixture
def returnee(db):
    profile = CompleteProfileFactory(
        user__email=f"{marker('email').lower()}@example.co",
        first_names=marker("first"),
        last_names=marker("last"),
        address=marker("address"),
        rur_number=marker("rur"),
    )
    return profile.user


def _journey(returnee: User, officer: User, capture) -> LoanApplication:
    plan = PlanFactory(
        owner=returnee,
        name=marker("plan"),
        description=marker("description"),
        customers=marker("customers"),
        competition=marker("competition"),
        experience=marker("experience"),
    )
    InvestmentItem.objects.filter(plan=plan).update(description=marker("item"))
    application = loan_services.application_create(applicant=returnee)
    loan_services.application_set_plan(application=application, plan=plan)
    loan_services.application_set_loan_request(
        application=application, product=ProductFactory(), amount=10_000_000, term_months=24, grace_months=3
    )
    content = b"%PDF-1.4\n%" + marker("file").encode() + b"\n"
    loan_services.document_add(
        application=application,
        kind="id_document",
        upload=check_upload(SimpleUploadedFile(f"{marker('filename')}.pdf", content, content_type="application/pdf")),
        user=returnee,
    )
    application.declarations_accepted_at = timezone.now()
    application.save()
    with capture(execute=True):
        loan_services.application_submit(application=application, user=returnee)
    application.refresh_from_db()
    assert application.status == "in_review"
    with capture(execute=True):
        review.application_request_info(application=application, officer=officer, message=marker("question"))
        loan_services.application_answer_info(application=application, user=returnee, message=marker("answer"))
    review.note_add(application=application, author=officer, body=marker("note"))
    # A failed login leaves the address in django-axes' tables.
    Client().post(reverse("applicants:login"), {"username": returnee.email, "password": "not-the-password"})
    services.deletion_request_create(user=returnee, reason=marker("reason"))
    return application


def test_the_export_holds_every_marker_and_erasure_leaves_none(
    storage_backend, returnee, officer, django_capture_on_commit_callbacks
):
    """On both storages: the documents' files leave the local disk, or the bucket, with the person."""
    application = _journey(returnee, officer, django_capture_on_commit_callbacks)
    before = _rows_with_markers()
    assert "loans_historicalloanapplication.frozen_plan" in before
    assert "axes_accessattempt.username" in before
    assert _files_with_markers()

    exported = json.dumps(personal_data.export_person(returnee), ensure_ascii=False)
    names = [
        "email", "first", "last", "address", "rur", "plan", "description", "customers", "competition",
        "experience", "item", "filename", "question", "answer", "note", "reason",
    ]  # fmt: skip
    assert [name for name in names if marker(name) not in exported and marker(name).lower() not in exported] == []

    deletion_request = DeletionRequest.objects.get(user=returnee)
    services.returnee_erase(deletion_request=deletion_request, handled_by=officer)

    assert _rows_with_markers() == {}
    assert _files_with_markers() == []
    application.refresh_from_db()
    assert application.status == "withdrawn"
    last = ApplicationEvent.objects.filter(application=application).order_by("-created_at", "-pk").first()
    assert (last.from_status, last.to_status) == ("in_review", "withdrawn")
    returnee.refresh_from_db()
    assert (returnee.email, returnee.is_active, returnee.has_usable_password()) == (
        f"erased-{returnee.pk}@invalid.example",
        False,
        False,
    )
    erasure = PersonalDataErasure.objects.get(user=returnee)
    assert erasure.erased_by == officer
    assert erasure.summary["loans.applications"]["documents"] == 1
    assert erasure.summary["account"]["login_records"] == 1

    # Idempotent: the request is done; erasing the person again finds nothing left.
    services.returnee_erase(deletion_request=deletion_request, handled_by=officer)
    assert PersonalDataErasure.objects.filter(user=returnee).count() == 1
    again = services.person_erase(user=returnee, erased_by=officer)
    assert again.summary["loans.applications"]["documents"] == 0
    assert again.summary["account"].get("account", 0) == 0
    assert _rows_with_markers() == {}
