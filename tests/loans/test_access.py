"""Who may open what: every loans URL that carries an object id, for owner, stranger, staff, anonymous."""

import hashlib
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from loans.choices import ApplicationStatus
from loans.models import (
    ApplicationDocument,
    DocumentAccess,
    LoanApplication,
)
from loans.programmes.urls import urlpatterns as programme_urlpatterns
from loans.reports.urls import urlpatterns as report_urlpatterns
from loans.urls import urlpatterns
from tests.factories import PlanFactory
from tests.loans.helpers import application_state

# Every access rule holds on both storages: documents on the local disk and in an S3 bucket.
pytestmark = pytest.mark.usefixtures("storage_backend")

PDF_BYTES = b"%PDF-1.4\n%test\n"  # what the ready_draft fixture uploads

# Every loans URL whose pattern takes an object id; a new one without an entry below fails the suite.
# The analysts' report URLs (loans/report_urls.py) are staff pages with their own rule, tested apart below.
REPORT_URLS = {p.name for p in report_urlpatterns}
ID_URLS = sorted(
    p.name for p in urlpatterns if any(type(c).__name__ == "UUIDConverter" for c in p.pattern.converters.values())
)
# Programme URLs (returnee, mentor, operator) have their own enumeration: tests/programmes/test_access.py.
PROGRAMME_URLS = {p.name for p in programme_urlpatterns}
URLS_WITH_IDS = sorted(set(ID_URLS) - REPORT_URLS - PROGRAMME_URLS)
POST_ONLY = {"document_remove"}


def _kwargs(name, application, document, plan):
    """The URL kwargs of each id-bearing loans URL, pointing at the owner's objects."""
    return {
        "plan_edit": {"public_id": plan.public_id},
        "application_detail": {"public_id": application.public_id},
        "application_plan": {"public_id": application.public_id},
        "application_loan": {"public_id": application.public_id},
        "application_documents": {"public_id": application.public_id},
        "document_remove": {"public_id": application.public_id, "document_id": document.public_id},
        "document_download": {"document_id": document.public_id},
        "application_declarations": {"public_id": application.public_id},
        "application_review": {"public_id": application.public_id},
        "application_schedule_csv": {"public_id": application.public_id},
        "application_withdraw": {"public_id": application.public_id},
        "application_answer": {"public_id": application.public_id},
    }[name]


@pytest.fixture
def objects(ready_draft):
    return {
        "application": ready_draft,
        "document": ready_draft.documents.get(),
        "plan": ready_draft.plan,
    }


def _url(name, objects):
    return reverse(f"loans:{name}", kwargs=_kwargs(name, **objects))


def _request(client, name, url):
    return client.post(url) if name in POST_ONLY else client.get(url)


def test_every_url_with_an_id_is_listed_here():
    listed = [
        "plan_edit",
        "application_detail",
        "application_plan",
        "application_loan",
        "application_documents",
        "document_remove",
        "document_download",
        "application_declarations",
        "application_review",
        "application_schedule_csv",
        "application_withdraw",
        "application_answer",
    ]
    assert sorted(listed) == URLS_WITH_IDS
    assert sorted([*listed, "export_download"]) == sorted(set(ID_URLS) - PROGRAMME_URLS)
    # An object id in a URL is always a UUID; the other parameters are names (a chart, a table).
    for pattern in urlpatterns:
        for name, converter in pattern.pattern.converters.items():
            if type(converter).__name__ != "UUIDConverter":
                assert not name.endswith("id"), f"{pattern.name}: <{name}> is an id but not a UUID"
                assert (pattern.name, name) in {("report_chart", "name"), ("statistics_csv", "table")}


@pytest.mark.parametrize("name", URLS_WITH_IDS)
def test_the_owner_gets_the_page(name, owner_client, objects):
    url = _url(name, objects)

    response = _request(owner_client, name, url)

    application, document = objects["application"], objects["document"]
    if name == "document_remove":
        assert response.status_code == 302
        assert response["Location"] == reverse("loans:application_documents", args=[application.public_id])
        assert not ApplicationDocument.objects.filter(pk=document.pk).exists()
    elif name == "document_download":
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert not DocumentAccess.objects.exists()  # the applicant's own reads are not audited
    elif name == "application_schedule_csv":
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
    elif name == "application_answer":
        # Only open while an officer's question waits (this draft has none): back to the application.
        assert response.status_code == 302
        assert response["Location"] == reverse("loans:application_detail", args=[application.public_id])
    else:
        assert response.status_code == 200
        if name == "plan_edit":
            assert response.context["plan"] == objects["plan"]
        else:
            assert response.context["application"] == application


@pytest.mark.parametrize("name", URLS_WITH_IDS)
def test_a_stranger_gets_404_and_changes_nothing(name, stranger_client, objects):
    before = application_state(objects["application"])

    response = _request(stranger_client, name, _url(name, objects))

    assert response.status_code == 404
    assert application_state(objects["application"]) == before


@pytest.mark.parametrize("name", URLS_WITH_IDS)
def test_a_stranger_gets_404_on_post_too(name, stranger_client, objects):
    before = application_state(objects["application"])

    response = stranger_client.post(
        _url(name, objects), {"confirm": "on", "accept_terms": "on", "accept_checks": "on", "accept_truth": "on"}
    )

    assert response.status_code == 404
    assert application_state(objects["application"]) == before


@pytest.mark.parametrize("name", URLS_WITH_IDS)
def test_anonymous_is_sent_to_log_in(name, client, objects):
    url = _url(name, objects)
    before = application_state(objects["application"])

    response = _request(client, name, url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('applicants:login')}?next={quote(url)}"
    assert application_state(objects["application"]) == before


@pytest.mark.parametrize("name", sorted(set(URLS_WITH_IDS) - {"document_download"}))
def test_staff_get_404_on_the_applicants_pages(name, officer_client, objects):
    before = application_state(objects["application"])

    response = _request(officer_client, name, _url(name, objects))

    assert response.status_code == 404
    assert application_state(objects["application"]) == before
    assert not DocumentAccess.objects.exists()


def test_staff_may_download_a_document_and_the_access_is_recorded(officer_client, officer, objects):
    document = objects["document"]

    response = officer_client.get(reverse("loans:document_download", args=[document.public_id]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    access = DocumentAccess.objects.get()
    assert (access.document, access.user) == (document, officer)


def test_staff_without_the_second_factor_get_404_on_documents(officer_password_only_client, objects):
    response = officer_password_only_client.get(
        reverse("loans:document_download", args=[objects["document"].public_id])
    )

    assert response.status_code == 404
    assert not DocumentAccess.objects.exists()


@pytest.mark.parametrize("who", ["owner_client", "officer_client"])
def test_a_document_is_served_as_an_attachment_never_sniffed_nor_cached(who, request, objects):
    client = request.getfixturevalue(who)
    document = objects["document"]

    response = client.get(reverse("loans:document_download", args=[document.public_id]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cedula.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256


def test_a_document_is_not_reachable_through_another_of_the_owners_applications(owner_client, owner, objects):
    from loans.applications.services import application_withdraw

    # The owner's other application (a fresh draft after withdrawing the first) cannot remove it either.
    application_withdraw(application=objects["application"], user=owner)
    other = LoanApplication.objects.create(applicant=owner)
    url = reverse("loans:document_remove", args=[other.public_id, objects["document"].public_id])

    response = owner_client.post(url)

    assert response.status_code == 404
    assert ApplicationDocument.objects.filter(pk=objects["document"].pk).exists()


def test_a_stranger_cannot_attach_the_owners_plan_to_their_application(stranger_client, stranger, objects):
    from loans.applications.services import application_create

    theirs = application_create(applicant=stranger)
    stranger_client.cookies["django_language"] = "en"

    response = stranger_client.post(
        reverse("loans:application_plan", args=[theirs.public_id]), {"plan": objects["plan"].pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["plan"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    theirs.refresh_from_db()
    assert theirs.plan is None


def test_a_stranger_cannot_edit_the_owners_investment_items_through_their_own_plan(stranger_client, stranger, objects):
    theirs = PlanFactory(owner=stranger, items=False)
    owners_item = objects["plan"].items.get()
    data = {
        "name": theirs.name,
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "items-0-id": str(owners_item.pk),
        "items-0-category": "tools",
        "items-0-description": "Robado",
        "items-0-amount": "1",
    }

    response = stranger_client.post(reverse("loans:plan_edit", args=[theirs.public_id]), data)

    assert response.status_code == 200
    owners_item.refresh_from_db()
    assert (owners_item.plan, owners_item.description, owners_item.amount) == (objects["plan"], "Horno", 20_000_000)
    assert not theirs.items.exists()


# --- an analyst's export ------------------------------------------------------------------


@pytest.fixture
def export_job(db):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from loans.models import ExportJob
    from tests.factories import StaffFactory

    requester = StaffFactory()
    requester.groups.add(Group.objects.get(name="Analyst"))
    return ExportJob.objects.create(
        requested_by=requester,
        kind="applications",
        format="csv",
        mode="background",
        status="ready",
        file_path="exports/x.csv",
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )


def test_an_export_is_404_for_a_returnee_and_for_another_analyst(owner_client, export_job):
    from django.contrib.auth.models import Group

    from tests.conftest import otp_verified_client
    from tests.factories import StaffFactory

    url = reverse("loans:export_download", args=[export_job.public_id])
    colleague = StaffFactory()
    colleague.groups.add(Group.objects.get(name="Analyst"))

    assert owner_client.get(url).status_code == 404
    assert otp_verified_client(colleague).get(url).status_code == 404


def test_an_export_sends_anonymous_to_log_in(client, export_job):
    url = reverse("loans:export_download", args=[export_job.public_id])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={quote(url)}"


# --- CSRF ------------------------------------------------------------------------------


ALL_URLS = sorted(p.name for p in urlpatterns if p.name not in PROGRAMME_URLS)


@pytest.mark.parametrize("name", ALL_URLS)
def test_every_loans_post_without_a_csrf_token_is_refused(name, owner, objects):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    if name in URLS_WITH_IDS:
        url = _url(name, objects)
    else:
        kwargs = {"export_download": {"public_id": objects["application"].public_id}}
        kwargs |= {"report_chart": {"name": "funnel"}, "statistics_csv": {"table": "department"}}
        url = reverse(f"loans:{name}", kwargs=kwargs.get(name))
    before = application_state(objects["application"])
    data = {
        "name": "Otro plan",
        "plan": objects["plan"].pk,
        "product": objects["application"].product_id,
        "amount": "2000000",
        "term_months": "12",
        "grace_months": "0",
        "accept_terms": "on",
        "accept_checks": "on",
        "accept_truth": "on",
        "confirm": "on",
    }

    response = client.post(url, data)

    assert response.status_code == 403
    assert application_state(objects["application"]) == before
    assert LoanApplication.objects.get(pk=objects["application"].pk).status == ApplicationStatus.DRAFT
