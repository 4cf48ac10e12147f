from __future__ import annotations

from django.db.models import QuerySet

from loans.lenders.models import Referral


def referrals_for_user(user) -> QuerySet[Referral]:
    """The referrals of the active intermediaries the user belongs to, newest first."""
    return (
        Referral.objects.filter(intermediary__users=user, intermediary__active=True)
        .select_related("intermediary", "application")
        .order_by("-id")
    )
