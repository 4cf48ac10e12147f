"""What the applicant is told at each step, composed in their language."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from applicants.notify import notify
from loans.applications.models import ApplicationEvent, LoanApplication
from loans.choices import ApplicationStatus


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


def _latest_event(application: LoanApplication, to_status: str, event_id: int | None) -> ApplicationEvent | None:
    events = application.events.filter(to_status=to_status)
    if event_id is not None:
        events = events.filter(pk=event_id)
    return events.order_by("-created_at", "-pk").first()


def _with_message(body: str, event: ApplicationEvent | None) -> str:
    if event is not None and event.message_to_applicant:
        return f"{body}\n\n{_('Message from the officer:')}\n{event.message_to_applicant}"
    return body


def notify_info_requested(application_id: int, event_id: int | None = None) -> None:
    """An officer asked for information (in_review → info_requested). Once per request."""
    application = _application(application_id)
    event = _latest_event(application, ApplicationStatus.INFO_REQUESTED, event_id)
    with translation.override(application.applicant.preferred_language):
        notify(
            user=application.applicant,
            key=f"info-requested:{application.pk}:{event.pk if event else 0}",
            kind="info_requested",
            subject=_("We need more information for your application %(reference)s")
            % {"reference": application.reference},
            body=_with_message(
                _("An officer needs more information to continue with your application. Open it to answer."),
                event,
            ),
            link=reverse("loans:application_detail", args=[application.public_id]),
            sms=True,
        )


def notify_decision(application_id: int, event_id: int | None = None) -> None:
    """Approved or rejected (or found ineligible by an officer). Once per decision."""
    application = _application(application_id)
    event = _latest_event(application, application.status, event_id)
    with translation.override(application.applicant.preferred_language):
        reference = {"reference": application.reference}
        if application.status == ApplicationStatus.APPROVED:
            subject = _("Your application %(reference)s was approved") % reference
            body = _("Your loan was approved. We will tell you when the money is disbursed.")
        elif application.status == ApplicationStatus.REJECTED:
            subject = _("Your application %(reference)s was not approved") % reference
            body = _("After reviewing your application, the programme did not approve it. Open it to see why.")
        elif application.status == ApplicationStatus.INELIGIBLE:
            subject = _("Your application %(reference)s does not meet the requirements") % reference
            body = _("An officer found that the application does not meet the requirements. Open it to see why.")
        else:
            return  # not a decision: nothing to tell
        notify(
            user=application.applicant,
            key=f"decision:{application.pk}:{event.pk if event else application.status}",
            kind="decision",
            subject=subject,
            body=_with_message(body, event),
            link=reverse("loans:application_detail", args=[application.public_id]),
            sms=True,
        )


def notify_disbursed(application_id: int) -> None:
    """The loan was disbursed. Once per application."""
    application = _application(application_id)
    if application.status != ApplicationStatus.DISBURSED:
        return
    with translation.override(application.applicant.preferred_language):
        notify(
            user=application.applicant,
            key=f"disbursed:{application.pk}",
            kind="disbursed",
            subject=_("The money of your loan %(reference)s was disbursed") % {"reference": application.reference},
            body=_(
                "The loan was disbursed to your account. Open your application to see the repayment schedule "
                "and the date of the first instalment."
            ),
            link=reverse("loans:application_detail", args=[application.public_id]),
            sms=True,
        )
