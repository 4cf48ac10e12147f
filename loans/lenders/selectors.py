from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from loans.lenders.models import Referral
from loans.servicing.models import Loan, LoanInstalment
from loans.servicing.selectors import Lender

OPEN_LOAN_STATES = (Loan.State.ACTIVE, Loan.State.IN_ARREARS)


def referrals_for_user(user) -> QuerySet[Referral]:
    """The referrals of the active intermediaries the user belongs to, newest first."""
    return (
        Referral.objects.filter(intermediary__users=user, intermediary__active=True)
        .select_related("intermediary", "application")
        .order_by("-id")
    )


def lender_of_loan(loan: Loan) -> Lender | None:
    """The partner lender that disbursed the loan and collects it (the borrower's page names it)."""
    referral = Referral.objects.filter(loan_id=loan.pk).select_related("intermediary").first()
    if referral is None:
        return None
    lender = referral.intermediary
    return Lender(
        name=lender.name, contact_name=lender.contact_name, phone=lender.contact_phone, email=lender.contact_email
    )


@dataclass
class LenderFigures:
    referred: int = 0
    accepted: int = 0
    disbursed: int = 0
    disbursed_amount: int = 0
    outstanding: int = 0
    at_risk: int = 0

    @property
    def par30(self) -> float | None:
        """Share (%) of the outstanding principal owed by loans more than 30 days in arrears."""
        if not self.outstanding:
            return None
        return round(100 * self.at_risk / self.outstanding, 1)


def figures_by_intermediary() -> dict[int, LenderFigures]:
    """The intermediary dimension of the reports: referred, accepted, disbursed, PAR30 (three queries)."""
    figures: dict[int, LenderFigures] = defaultdict(LenderFigures)
    took = Q(status__in=[Referral.Status.ACCEPTED, Referral.Status.STUDY_APPROVED, Referral.Status.STUDY_REJECTED])
    for row in Referral.objects.values("intermediary").annotate(
        referred=Count("pk"),
        accepted=Count("pk", filter=took | Q(status=Referral.Status.DISBURSED)),
        disbursed=Count("pk", filter=Q(status=Referral.Status.DISBURSED)),
        disbursed_amount=Coalesce(Sum("loan__principal"), 0),
    ):
        lender = figures[row["intermediary"]]
        lender.referred, lender.accepted = row["referred"], row["accepted"]
        lender.disbursed, lender.disbursed_amount = row["disbursed"], row["disbursed_amount"]
    owed = F("principal") - F("paid_principal")
    for part in (
        LoanInstalment.objects.filter(loan__referral__isnull=False, loan__state__in=OPEN_LOAN_STATES)
        .values("loan__referral__intermediary")
        .annotate(owed_total=Sum(owed), at_risk=Coalesce(Sum(owed, filter=Q(loan__days_in_arrears__gt=30)), 0))
    ):
        lender = figures[part["loan__referral__intermediary"]]
        lender.outstanding, lender.at_risk = part["owed_total"], part["at_risk"]
    return dict(figures)
