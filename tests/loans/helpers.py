"""Small helpers shared by the loans tests."""

from loans.models import ApplicationDocument, BusinessPlan, InvestmentItem, LoanApplication


def application_state(application) -> tuple:
    """Everything a request could change about an application and its owner's things, to compare."""
    application = LoanApplication.objects.get(pk=application.pk)
    return (
        application.status,
        application.reference,
        application.plan_id,
        application.product_id,
        application.amount,
        application.term_months,
        application.grace_months,
        application.declarations_accepted_at,
        application.frozen_plan,
        sorted(application.documents.values_list("public_id", flat=True)),
        sorted(BusinessPlan.objects.values_list("public_id", "name")),
        sorted(InvestmentItem.objects.values_list("pk", "amount")),
        LoanApplication.objects.count(),
        ApplicationDocument.objects.count(),
    )


def add_documents(application, count: int, size: int = 100) -> None:
    """Document rows without files (quotas and query counts only look at the rows)."""
    ApplicationDocument.objects.bulk_create(
        ApplicationDocument(
            application=application,
            kind="plan_attachment",
            file=f"documents/00/{n:032x}",
            original_name=f"cotizacion-{n}.pdf",
            content_type="application/pdf",
            size=size,
            sha256="0" * 64,
        )
        for n in range(count)
    )
