"""What the applicant is told at each step, composed in their language."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from applicants.notify import notify

from .choices import ApplicationStatus
from .models import LoanApplication


def _application(application_id: int) -> LoanApplication:
    return LoanApplication.objects.select_related("applicant").get(pk=application_id)


def notify_received(application_id: int) -> None:
    application = _application(application_id)
    with translation.override(application.applicant.preferred_language):
        notify(
            user=application.applicant,
            key=f"application-received:{application.pk}",
            kind="application_received",
            subject=_("We received your application %(reference)s") % {"reference": application.reference},
            body=_(
                "Your loan application %(reference)s was received. We are checking it automatically and "
                "will tell you the result shortly."
            )
            % {"reference": application.reference},
            link=reverse("loans:application_detail", args=[application.public_id]),
            sms=True,
        )


def notify_eligibility(application_id: int) -> None:
    application = _application(application_id)
    result = application.eligibility_results.order_by("-created_at", "-pk").first()
    with translation.override(application.applicant.preferred_language):
        if application.status == ApplicationStatus.INELIGIBLE:
            subject = _("Your application %(reference)s does not meet the requirements") % {
                "reference": application.reference
            }
            body = _(
                "The automatic check found requirements that are not met. "
                "Open your application to see why and what you can do."
            )
        else:
            subject = _("Your application %(reference)s is in review") % {"reference": application.reference}
            body = _("Your application meets the basic requirements and is now with an officer, who will review it.")
        notify(
            user=application.applicant,
            key=f"eligibility:{application.pk}:{result.pk if result else 0}",
            kind="eligibility_result",
            subject=subject,
            body=body,
            link=reverse("loans:application_detail", args=[application.public_id]),
            sms=True,
        )
