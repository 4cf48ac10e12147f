"""The partner lenders' API, version 1 (issue 16). Thin: parse, call one service, answer."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from loans.lenders import services
from loans.lenders.api import schema as _schema  # noqa: F401  (registers the token scheme)
from loans.lenders.api import serializers as s
from loans.lenders.api.auth import HasScope
from loans.lenders.api.idempotency import idempotent
from loans.lenders.models import ApiToken, Referral

READ = ApiToken.Scope.READ_REFERRALS.value
DECIDE = ApiToken.Scope.REPORT_DECISIONS.value
PAY = ApiToken.Scope.REPORT_PAYMENTS.value

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Unique per operation; a replay returns the first answer, another body with the same key gets 409.",
)


class ReferralCursor(CursorPagination):
    """Keyset pagination on (intermediary, id): the same cost at page 1 and page 20,000."""

    ordering = "-id"
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise serializers.ValidationError(
                {"page_size": [_("Use a whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return int(raw)


@extend_schema(tags=["referrals"])
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ReferralSerializer
    permission_classes = [IsAuthenticated, HasScope]
    pagination_class = ReferralCursor
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-f-]{36}"
    action_scopes = {
        "list": READ,
        "retrieve": READ,
        "accept": DECIDE,
        "decline": DECIDE,
        "study": DECIDE,
        "disbursement": DECIDE,
        "payments": PAY,
    }

    def get_queryset(self) -> QuerySet[Referral]:
        # Another lender's referral is simply not there: 404, never 403.
        token: ApiToken = self.request.auth  # type: ignore[assignment]
        return Referral.objects.filter(intermediary=token.intermediary).select_related(
            "application__product", "application__applicant__profile", "loan"
        )

    def _answer(self, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
        referral = self.get_queryset().get(pk=referral.pk)
        return Response(s.ReferralSerializer(referral).data, status=code)

    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY], responses={200: s.ReferralSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def accept(self, request: Request, public_id: str) -> Response:
        referral = self.get_object()
        return self._answer(services.referral_accept(referral=referral, intermediary=referral.intermediary))

    @extend_schema(request=s.DeclineSerializer, parameters=[IDEMPOTENCY_KEY], responses={200: s.ReferralSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def decline(self, request: Request, public_id: str) -> Response:
        referral = self.get_object()
        data = self._valid(s.DeclineSerializer, request)
        return self._answer(
            services.referral_decline(referral=referral, intermediary=referral.intermediary, reason=data["reason"])
        )

    @extend_schema(request=s.StudySerializer, parameters=[IDEMPOTENCY_KEY], responses={200: s.ReferralSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def study(self, request: Request, public_id: str) -> Response:
        referral = self.get_object()
        data = self._valid(s.StudySerializer, request)
        return self._answer(
            services.referral_study(
                referral=referral,
                intermediary=referral.intermediary,
                approved=data["outcome"] == "approved",
                note=data["note"],
            )
        )

    @extend_schema(
        request=s.DisbursementSerializer, parameters=[IDEMPOTENCY_KEY], responses={201: s.ReferralSerializer}
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def disbursement(self, request: Request, public_id: str) -> Response:
        referral = self.get_object()
        data = self._valid(s.DisbursementSerializer, request)
        services.referral_disburse(
            referral=referral,
            intermediary=referral.intermediary,
            actor=request.user,  # type: ignore[arg-type]
            **data,
        )
        return self._answer(referral, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.PaymentSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.RepaymentSerializer, 200: s.RepaymentSerializer},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def payments(self, request: Request, public_id: str) -> Response:
        referral = self.get_object()
        data = self._valid(s.PaymentSerializer, request)
        repayment, created = services.referral_payment(
            referral=referral,
            intermediary=referral.intermediary,
            actor=request.user,  # type: ignore[arg-type]
            **data,
        )
        return Response(
            s.RepaymentSerializer(repayment).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @staticmethod
    def _valid(serializer_class, request: Request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
