"""Applications as a returnee would send them, for tests that need several."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from loans.applications import services
from loans.applications.documents import check_upload
from tests.factories import CompleteProfileFactory, PlanFactory


def draft_ready_to_send(product, *, user=None):
    """A complete draft of a new returnee (or of ``user``), ready to be sent."""
    user = user or CompleteProfileFactory().user
    application = services.application_create(applicant=user)
    services.application_set_plan(application=application, plan=PlanFactory(owner=user))
    services.application_set_loan_request(
        application=application, product=product, amount=10_000_000, term_months=24, grace_months=3
    )
    services.document_add(
        application=application,
        kind="id_document",
        upload=check_upload(SimpleUploadedFile("cedula.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")),
        user=user,
    )
    application.declarations_accepted_at = timezone.now()
    application.save()
    return application


def send_application(product, *, user=None):
    """A complete application sent by a new returnee (its check runs eagerly on commit)."""
    application = draft_ready_to_send(product, user=user)
    return services.application_submit(application=application, user=application.applicant)
