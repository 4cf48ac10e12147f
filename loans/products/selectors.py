"""Reads for products."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from loans.products.models import LoanProduct


def open_products(day: date | None = None) -> QuerySet[LoanProduct]:
    day = day or timezone.localdate()
    return (
        LoanProduct.objects.filter(is_active=True, window_opens__lte=day)
        .exclude(window_closes__lt=day)
        .order_by("name")
    )
