"""Re-check: staff run the engine again over applications in review, in chunks, with progress.

A re-check never moves an application: a new failing result is flagged for the officer.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applicants.models import Notification
from loans.applications import recheck, services, tasks
from loans.choices import ApplicationStatus
from loans.models import ApplicationEvent, EligibilityResult, LoanApplication, RecheckItem, RecheckRun
from tests.conftest import otp_verified_client
from tests.factories import ProductFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_review(product, send):
    applications = [send(product) for _ in range(3)]
    assert {a.status for a in LoanApplication.objects.all()} == {ApplicationStatus.IN_REVIEW}
    return applications


@pytest.fixture
def staff_client():
    user = StaffFactory()
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_loanproduct", "change_loanproduct", "add_recheckrun", "view_recheckrun"]
        )
    )
    client = otp_verified_client(user)
    client.cookies["django_language"] = "en"
    return client


def run_action(client, product):
    return client.post(
        reverse("admin:loans_loanproduct_changelist"),
        {"action": "recheck_in_review", "_selected_action": [product.pk]},
        follow=True,
    )


def test_the_product_action_rechecks_every_application_in_review(staff_client, product, in_review):
    response = run_action(staff_client, product)

    assert response.status_code == 200
    assert "Re-check queued for 1 product(s)." in response.content.decode()
    run = RecheckRun.objects.get()
    assert (run.product, run.status, run.total, run.done, run.changed, run.now_failing) == (
        product,
        RecheckRun.Status.FINISHED,
        3,
        3,
        0,
        0,
    )
    assert run.ruleset_version == "2026.3"
    assert run.started_at and run.finished_at
    assert RecheckItem.objects.filter(run=run).count() == 3
    for application in in_review:
        assert EligibilityResult.objects.filter(application=application).count() == 2


def test_a_recheck_that_now_fails_is_flagged_and_the_application_stays_in_review(staff_client, product, in_review):
    product.accepted_countries = ["ES"]
    product.save()
    events_before = ApplicationEvent.objects.count()
    notifications_before = Notification.objects.count()

    run_action(staff_client, product)

    run = RecheckRun.objects.get()
    assert (run.done, run.changed, run.now_failing) == (3, 3, 3)
    for application in in_review:
        application.refresh_from_db()
        assert application.status == ApplicationStatus.IN_REVIEW
        assert application.eligibility_outcome == "ineligible"
        assert application.review_flags == ["country"]
        item = RecheckItem.objects.get(run=run, application=application)
        assert (item.previous_outcome, item.outcome, item.flagged) == ("eligible", "ineligible", True)
        latest = application.eligibility_results.first()
        assert latest == item.result
        assert {v["rule"]: v["reason"] for v in latest.verdicts}["country"] == "country_not_accepted"
    assert ApplicationEvent.objects.count() == events_before  # no transition, no automatic rejection
    assert Notification.objects.count() == notifications_before  # the officer decides, then the applicant hears


def test_only_applications_still_in_review_of_that_product_are_rechecked(product, in_review, send, owner):
    other_product = ProductFactory()
    elsewhere = send(other_product)
    withdrawn = in_review[0]
    LoanApplication.objects.filter(pk=withdrawn.pk).update(status=ApplicationStatus.WITHDRAWN)
    LoanApplication.objects.filter(pk=in_review[1].pk).update(status=ApplicationStatus.INFO_REQUESTED)

    run = services.recheck_start(product=product, user=None)

    run.refresh_from_db()
    assert set(run.items.values_list("application_id", flat=True)) == {in_review[1].pk, in_review[2].pk}
    assert not RecheckItem.objects.filter(application=elsewhere).exists()

    every_product = services.recheck_start(product=None, user=None)
    every_product.refresh_from_db()
    assert (every_product.total, every_product.done) == (3, 3)


def test_chunks_are_separate_low_priority_tasks(product, in_review, send, monkeypatch):
    send(product), send(product)
    sent = []
    from loans.applications.tasks import recheck_chunk

    original = recheck_chunk.apply_async

    def spy(args=None, kwargs=None, **options):
        sent.append((args[1], options.get("priority")))
        return original(args=args, kwargs=kwargs, **options)

    monkeypatch.setattr(recheck, "CHUNK_SIZE", 2)
    monkeypatch.setattr(recheck_chunk, "apply_async", spy)

    run = services.recheck_start(product=product, user=None)

    ids = sorted(LoanApplication.objects.values_list("pk", flat=True))
    assert sent == [(ids[0:2], 9), (ids[2:4], 9), (ids[4:5], 9)]
    run.refresh_from_db()
    assert (run.status, run.total, run.done) == (RecheckRun.Status.FINISHED, 5, 5)


def test_a_chunk_delivered_twice_counts_and_stores_once(product, in_review):
    run = RecheckRun.objects.create(
        product=product, ruleset_version="2026.2", status=RecheckRun.Status.RUNNING, total=3
    )
    ids = [a.pk for a in in_review]

    assert recheck.recheck_chunk(run.pk, ids) == 3
    assert recheck.recheck_chunk(run.pk, ids) == 0
    assert recheck.recheck_chunk(run.pk, ids[:1]) == 0

    run.refresh_from_db()
    assert (run.done, run.status) == (3, RecheckRun.Status.FINISHED)
    assert RecheckItem.objects.filter(run=run).count() == 3
    assert EligibilityResult.objects.count() == 3 + 3


def test_planning_delivered_twice_queues_the_chunks_once(product, in_review, monkeypatch):
    queued = []
    run = RecheckRun.objects.create(product=product, ruleset_version="2026.2")

    def queue(run_id, ids):
        queued.append(ids)

    assert recheck.recheck_plan(run.pk, queue_chunks=queue) == 3
    assert recheck.recheck_plan(run.pk, queue_chunks=queue) == 0

    assert queued == [[a.pk for a in in_review]]


def test_chunks_lost_while_the_broker_was_down_are_queued_again_from_the_admin(
    staff_client, product, in_review, monkeypatch
):
    monkeypatch.setattr(tasks, "_enqueue_low", lambda task, *args: False)
    run = services.recheck_start(product=product, user=None)
    run.refresh_from_db()
    assert (run.status, run.total, run.done) == (RecheckRun.Status.RUNNING, 3, 0)

    monkeypatch.undo()
    response = staff_client.post(
        reverse("admin:loans_recheckrun_changelist"), {"action": "resume", "_selected_action": [run.pk]}, follow=True
    )

    assert "1 chunk(s) queued." in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.total, run.done) == (RecheckRun.Status.FINISHED, 3, 3)


def test_a_chunk_that_gives_up_marks_the_run_failed_and_resume_finishes_it(product, in_review, monkeypatch):
    from django.db import OperationalError

    def database_down(run_id, ids):
        raise OperationalError("gone")

    monkeypatch.setattr(tasks, "_enqueue_low", lambda task, *args: False)
    run = services.recheck_start(product=product, user=None)
    monkeypatch.setattr(recheck, "recheck_chunk", database_down)

    # The last retry: the chunk gives up and says so on the run.
    with pytest.raises(OperationalError):
        tasks.recheck_chunk.apply(args=[run.pk, [in_review[0].pk]], retries=tasks.recheck_chunk.max_retries)

    run.refresh_from_db()
    assert (run.status, run.done) == (RecheckRun.Status.FAILED, 0)

    monkeypatch.undo()
    assert services.recheck_resume(run=run) == 1
    run.refresh_from_db()
    assert (run.status, run.total, run.done) == (RecheckRun.Status.FINISHED, 3, 3)


def test_the_admin_shows_progress(staff_client, product, in_review, monkeypatch):
    monkeypatch.setattr(tasks, "_enqueue_low", lambda task, *args: False)
    run = services.recheck_start(product=product, user=None)
    recheck.recheck_chunk(run.pk, [in_review[0].pk])

    page = staff_client.get(reverse("admin:loans_recheckrun_changelist")).content.decode()

    assert '<progress value="33" max="100">33 %</progress> 1 / 3 (33 %)' in page
    assert product.name in page


def test_staff_start_a_recheck_of_every_product_from_the_admin(staff_client, in_review):
    response = staff_client.post(reverse("admin:loans_recheckrun_add"), {"product": ""}, follow=True)

    assert response.status_code == 200
    run = RecheckRun.objects.get()
    assert run.product is None
    assert (run.status, run.done, run.total) == (RecheckRun.Status.FINISHED, 3, 3)
    assert run.started_by.email.startswith("oficial")
    assert "All products" in response.content.decode()


def test_staff_without_the_permission_cannot_start_one(product, in_review):
    user = StaffFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_loanproduct", "change_loanproduct"]))
    client = otp_verified_client(user)

    run_action(client, product)

    assert not RecheckRun.objects.exists()
