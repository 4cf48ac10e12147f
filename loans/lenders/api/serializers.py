"""What the API shows a lender and what it accepts. Personal data: only the name and the document
the lender must verify (no phone, address or other encrypted field)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from loans.lenders.models import Referral
from loans.lenders.services import offer_of
from loans.servicing.models import Loan, Repayment


class ApplicantSerializer(serializers.Serializer):
    first_names = serializers.CharField()
    last_names = serializers.CharField()
    document_type = serializers.CharField()
    document_number = serializers.CharField()


class OfferSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text=_("Approved amount (COP); a disbursement may not exceed it."))
    term_months = serializers.IntegerField()
    grace_months = serializers.IntegerField()


class LoanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Loan
        fields = [
            "principal",
            "annual_rate_pct",
            "term_months",
            "grace_months",
            "disbursed_on",
            "bank_reference",
            "state",
            "days_in_arrears",
        ]


class ReferralSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    application_reference = serializers.CharField(source="application.reference", read_only=True)
    product = serializers.CharField(source="application.product.name", read_only=True, allow_null=True)
    department = serializers.CharField(source="application.business_department_id", read_only=True, allow_null=True)
    applicant = serializers.SerializerMethodField()
    offer = serializers.SerializerMethodField()
    loan = LoanSerializer(read_only=True, allow_null=True)
    referred_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "status",
            "application_reference",
            "product",
            "department",
            "applicant",
            "offer",
            "decline_reason",
            "study_note",
            "loan",
            "referred_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_applicant(self, referral: Referral) -> ApplicantSerializer:
        profile = getattr(referral.application.applicant, "profile", None)
        data: dict[str, Any] = {
            "first_names": getattr(profile, "first_names", ""),
            "last_names": getattr(profile, "last_names", ""),
            "document_type": getattr(profile, "document_type", ""),
            "document_number": getattr(profile, "document_number", "") or "",
        }
        return ApplicantSerializer(data).data  # type: ignore[return-value]

    def get_offer(self, referral: Referral) -> OfferSerializer:
        return OfferSerializer(offer_of(referral.application)).data  # type: ignore[return-value]


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class StudySerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("approved", _("approved")), ("rejected", _("rejected"))])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DisbursementSerializer(serializers.Serializer):
    disbursed_on = serializers.DateField()
    amount = serializers.IntegerField(min_value=1, max_value=10**12)
    term_months = serializers.IntegerField(min_value=1, max_value=600)
    # Left out: the grace of the accepted offer.
    grace_months = serializers.IntegerField(min_value=0, max_value=600, required=False, allow_null=True, default=None)
    bank_reference = serializers.CharField(max_length=60)


class PaymentSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.IntegerField(min_value=1, max_value=10**12)
    bank_reference = serializers.CharField(max_length=60)


class RepaymentSerializer(serializers.ModelSerializer):
    loan_state = serializers.CharField(source="loan.state", read_only=True)

    class Meta:
        model = Repayment
        fields = [
            "paid_on",
            "amount",
            "bank_reference",
            "allocated_interest",
            "allocated_principal",
            "unallocated",
            "loan_state",
        ]
        read_only_fields = fields
