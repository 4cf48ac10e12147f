"""What the applicant is told as a partner lender moves their referral (issue 16)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override

from applicants.notify import notify
from loans.lenders.models import Referral


def notify_referral(referral_id: int, step: str) -> None:
    """One message per step of a referral (the key makes it once-only)."""
    referral = Referral.objects.select_related("intermediary", "application__applicant").get(pk=referral_id)
    user = referral.application.applicant
    lender = referral.intermediary.name
    with override(user.preferred_language or "es"):
        texts = {
            "referred": (
                _("Your credit goes to %(lender)s") % {"lender": lender},
                _(
                    "Your approved application was sent to %(lender)s, which will contact you to study and "
                    "disburse the credit."
                )
                % {"lender": lender},
            ),
            "accepted": (
                _("%(lender)s took your application") % {"lender": lender},
                _("%(lender)s accepted your application and will contact you for the credit study.")
                % {"lender": lender},
            ),
            "declined": (
                _("%(lender)s will not study your credit") % {"lender": lender},
                _("%(lender)s declined your application. The programme will send it to another lender.")
                % {"lender": lender},
            ),
            "study_approved": (
                _("%(lender)s approved the credit study") % {"lender": lender},
                _("%(lender)s approved its credit study; it will tell you the disbursement date.")
                % {"lender": lender},
            ),
            "study_rejected": (
                _("%(lender)s did not approve the credit study") % {"lender": lender},
                _("%(lender)s did not approve its credit study. The programme will look for another lender.")
                % {"lender": lender},
            ),
            "disbursed": (
                _("%(lender)s disbursed your credit") % {"lender": lender},
                _("%(lender)s disbursed your credit. You can see the schedule on your loan page.")
                % {"lender": lender},
            ),
        }
        subject, body = texts[step]
    notify(user=user, key=f"referral:{referral.pk}:{step}", kind="referral", subject=subject, body=body)
