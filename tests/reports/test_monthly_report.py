"""The monthly report: last month's figures to every analyst once, scheduled on the 1st."""

from datetime import date

from django.contrib.auth.models import Permission

from applicants.models import Notification
from loans.reports.monthly import monthly_report_send, previous_month
from loans.reports.tasks import monthly_report
from tests.factories import StaffFactory


def test_last_month_is_the_calendar_month_before():
    assert previous_month(date(2026, 2, 1)) == (date(2026, 1, 1), date(2026, 1, 31))
    assert previous_month(date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))


def test_every_analyst_gets_last_months_figures_once(analyst, pii_analyst, program_officer, program):
    direct = StaffFactory(preferred_language="es")
    direct.user_permissions.add(Permission.objects.get(content_type__app_label="loans", codename="view_reports"))

    assert monthly_report_send(today=date(2026, 2, 3)) == 3
    assert monthly_report_send(today=date(2026, 2, 20)) == 3  # again: nobody gets it twice

    notifications = Notification.objects.filter(kind="monthly_report").order_by("user_id")
    assert [n.user for n in notifications] == [analyst, pii_analyst, direct]
    report = notifications.get(user=analyst)
    assert report.key == f"monthly-report:2026-01:{analyst.pk}"
    assert report.subject == "Monthly report: 2026-01"
    assert report.link == "/informes/?date_from=2026-01-01&date_to=2026-01-31"
    # January: A1–A9 (A10 started in December).
    assert "- Started (drafts and sent): 9\n" in report.body
    assert "- Disbursed: 2\n" in report.body
    assert "- Outstanding principal: COP 30,000,000\n" in report.body
    assert "- Median days from submission to decision: 5.0\n" in report.body
    spanish = notifications.get(user=direct)
    assert spanish.subject == "Informe mensual: 2026-01"
    assert "$30.000.000" in spanish.body
    assert not Notification.objects.filter(user=program_officer).exists()


def test_the_task_sends_it(analyst, db):
    assert monthly_report.apply().get() == 1


def test_the_beat_rows_exist(db):
    from django_celery_beat.models import PeriodicTask

    report = PeriodicTask.objects.get(task="loans.exports.monthly_report")
    assert (report.crontab.minute, report.crontab.hour, report.crontab.day_of_month) == ("0", "6", "1")
    assert str(report.crontab.timezone) == "America/Bogota"
    purge = PeriodicTask.objects.get(task="loans.exports.purge_expired")
    assert (purge.crontab.hour, purge.crontab.day_of_month) == ("3", "*")
