"""Re-check: run the current ruleset again over applications still in review.

Staff start a run when a product's parameters or the ruleset change (admin action on the
product, or "add eligibility re-check" for every product). A planning task counts the
applications and queues chunks of ``CHUNK_SIZE`` ids; each chunk is one task and one
transaction, so it is applied whole or not at all. ``RecheckItem`` is unique per run and
application: a chunk delivered twice (a worker killed after its commit) skips what it
already did, and ``done`` counts items, so progress is exact.

A re-check never moves an application. If the new result fails, the item is flagged and
the officer decides (docs/DOMAIN.md, "Application workflow": officers review, recommend and
reject; only the check of a *submitted* application moves it on its own).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from loans.applications.checks import check_application, record_eligibility_outcome
from loans.applications.models import LoanApplication
from loans.choices import ApplicationStatus
from loans.eligibility.models import EligibilityResult, RecheckItem, RecheckRun
from portal import changes

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# On Redis, 0 is the highest priority and 9 the lowest: a re-check of 100,000 applications
# must not hold back the check of an application sent a minute ago on the same queue.
CHUNK_PRIORITY = 9
# "Still in review": with an officer and not yet recommended or decided.
REVIEW_STATES = (ApplicationStatus.IN_REVIEW, ApplicationStatus.INFO_REQUESTED)


def scope(product_id: int | None) -> QuerySet[LoanApplication]:
    applications = LoanApplication.objects.filter(status__in=REVIEW_STATES)
    return applications if product_id is None else applications.filter(product_id=product_id)


def recheck_plan(run_id: int, *, queue_chunks: Callable[[int, list[int]], object]) -> int:
    """Count the applications in scope and queue their chunks; a second delivery does nothing.

    ``queue_chunks(run_id, ids)`` runs after the commit; the caller (the planning task) passes
    the function that queues the chunk tasks, so this module never imports the tasks.
    """
    with transaction.atomic():
        # Lock the run: two deliveries of the planning task must not queue every chunk twice.
        run = RecheckRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != RecheckRun.Status.QUEUED:
            return 0
        ids = list(scope(run.product_id).order_by("pk").values_list("pk", flat=True))
        run.total = len(ids)
        run.started_at = timezone.now()
        run.status = RecheckRun.Status.RUNNING if ids else RecheckRun.Status.FINISHED
        run.finished_at = None if ids else run.started_at
        run.save(update_fields=["total", "started_at", "status", "finished_at"])
        transaction.on_commit(lambda: queue_chunks(run_id, ids))
    return len(ids)


def _previous_outcome() -> Subquery:
    latest = EligibilityResult.objects.filter(application=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(latest.values("outcome")[:1])


def recheck_chunk(run_id: int, application_ids: list[int]) -> int:
    """Re-check these applications in one transaction; returns how many were new to this run."""
    run = RecheckRun.objects.filter(pk=run_id).first()
    if run is None or run.status not in (RecheckRun.Status.RUNNING, RecheckRun.Status.FAILED):
        return 0
    with transaction.atomic():
        already = set(
            RecheckItem.objects.filter(run_id=run_id, application_id__in=application_ids).values_list(
                "application_id", flat=True
            )
        )
        todo = [pk for pk in application_ids if pk not in already]
        applications = list(
            LoanApplication.objects.filter(pk__in=todo)
            .select_related("product")
            .annotate(previous_outcome=_previous_outcome())
            .order_by("pk")
        )
        checks = [(application, check_application(application)) for application in applications]
        results = EligibilityResult.objects.bulk_create(
            [
                EligibilityResult(
                    application=application,
                    ruleset_version=check.ruleset_version,
                    outcome=check.outcome,
                    verdicts=[v.as_dict() for v in check.verdicts],
                    started_at=check.started_at,
                    duration_ms=check.duration_ms,
                )
                for application, check in checks
            ]
        )
        items = [
            RecheckItem(
                run_id=run_id,
                application=application,
                result=result,
                previous_outcome=application.previous_outcome or "",
                outcome=result.outcome,
                # Never an automatic rejection: a failing re-check is for the officer to decide.
                flagged=result.outcome == EligibilityResult.Outcome.INELIGIBLE and application.status in REVIEW_STATES,
            )
            for (application, _check), result in zip(checks, results, strict=True)
        ]
        # A concurrent copy of this chunk makes this raise (unique per run and application):
        # the whole chunk rolls back and the task's retry finds the items already there.
        RecheckItem.objects.bulk_create(items)
        for application, check in checks:
            # The officers' queue filters on these columns; the status is not touched.
            record_eligibility_outcome(application, check.outcome, [v.as_dict() for v in check.verdicts])
        with changes.tracking(applications=[application.pk for application, _check in checks]):
            LoanApplication.objects.bulk_update(
                [application for application, _check in checks], ["eligibility_outcome", "review_flags"]
            )
        vanished = len(todo) - len(applications) if not already else 0
        RecheckRun.objects.filter(pk=run_id).update(
            done=F("done") + len(items),
            total=F("total") - vanished,
            changed=F("changed") + sum(1 for item in items if item.previous_outcome != item.outcome),
            now_failing=F("now_failing") + sum(1 for item in items if item.flagged),
        )
        transaction.on_commit(lambda: finish_if_complete(run_id))
    return len(items)


def recheck_failed(run_id: int) -> None:
    """A chunk gave up after its retries: show it in the admin, where staff can resume the run."""
    RecheckRun.objects.filter(pk=run_id, status=RecheckRun.Status.RUNNING).update(status=RecheckRun.Status.FAILED)


def finish_if_complete(run_id: int) -> None:
    RecheckRun.objects.filter(pk=run_id, status=RecheckRun.Status.RUNNING, done__gte=F("total")).update(
        status=RecheckRun.Status.FINISHED, finished_at=timezone.now()
    )
