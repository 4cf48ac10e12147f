from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from hypothesis import settings as hypothesis_settings

from tests import services
from tests.factories import CompleteProfileFactory, StaffFactory, UserFactory

_skipped_for: Counter[str] = Counter()
SERVICE_MARKERS = {"needs_redis", "needs_postgres", "needs_worker", "needs_s3", "browser"}

# Under CI the property tests draw the same examples on every run, so a red build reproduces
# on a laptop with `CI=true`; nor does CI keep or replay an example database between runs.
# Locally hypothesis explores afresh each run and remembers what failed in .hypothesis/.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("dev")
HYPOTHESIS_PROFILE = "ci" if services.CI else "dev"
hypothesis_settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    mode = "CI=true: every service is required" if services.CI else "embedded default; missing services are skipped"
    return [
        f"retorno: database={engine}, redis={services.redis_url()}, {mode}",
        f"hypothesis profile: {HYPOTHESIS_PROFILE} (derandomize={hypothesis_settings.default.derandomize})",
    ]


def pytest_runtest_setup(item):
    markers = {mark.name for mark in item.iter_markers()} & SERVICE_MARKERS
    if not markers:
        return
    missing = services.missing_for(markers)
    if not missing:
        return
    if services.CI:
        pytest.fail(f"CI=true and a required service is missing: {', '.join(missing)}", pytrace=False)
    for name in missing:
        _skipped_for[name] += 1
    pytest.skip(f"needs {', '.join(missing)}")


def pytest_terminal_summary(terminalreporter):
    if not _skipped_for:
        return
    terminalreporter.section("services not available: tests skipped")
    for name, count in _skipped_for.items():
        terminalreporter.write_line(f"SKIPPED {count} test(s) that need {name}.")
    terminalreporter.write_line("Run `CI=true make test` with PostgreSQL, Redis and Chromium to run them all.")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(params=["filesystem", pytest.param("s3", marks=pytest.mark.needs_s3)])
def storage_backend(request, settings):
    """Run the test twice: documents and exports on the local disk, then in an S3 bucket."""
    if request.param == "s3":
        settings.STORAGES = {**settings.STORAGES, "default": services.s3_storage_settings()}
    return request.param


@pytest.fixture
def s3_storage(settings):
    """The default storage is a fresh prefix of a private bucket on the test S3 server (mark the test needs_s3)."""
    settings.STORAGES = {**settings.STORAGES, "default": services.s3_storage_settings()}
    from django.core.files.storage import default_storage

    return default_storage


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put back the data migrations load (DIVIPOLA, CIIU, SMMLV): transactional tests flush it."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_db:
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from importlib import import_module

    from django.apps import apps

    from applicants.models import Department
    from loans.models import MinimumWage

    if not Department.objects.exists():
        import_module("applicants.migrations.0002_load_reference_data").load(apps, None)
    if not MinimumWage.objects.exists():
        import_module("loans.migrations.0002_minimum_wages").load(apps, None)
    from django.contrib.auth.models import Group, Permission

    if not Group.objects.filter(name="Program officer").exists():
        # A flush recreates permissions (post_migrate) but not the role groups of 0006_roles.
        for name, codenames in import_module("loans.migrations.0006_roles").ROLES.items():
            group = Group.objects.create(name=name)
            for app_label, codename in codenames:
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    if not Group.objects.filter(name="Mentor").exists():
        for name, codenames in import_module("loans.migrations.0013_programme_roles_and_reminder").ROLES.items():
            group, _created = Group.objects.get_or_create(name=name)
            for app_label, codename in codenames:
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture
def owner(db):
    """A returnee with a complete profile."""
    return CompleteProfileFactory().user


@pytest.fixture
def stranger(db):
    """Another returnee, who must never see the owner's things."""
    return CompleteProfileFactory().user


@pytest.fixture
def officer(db):
    user = StaffFactory()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="applicants"))
    return user


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def stranger_client(stranger):
    client = Client()
    client.force_login(stranger)
    return client


def otp_verified_client(user) -> Client:
    """A client logged in with password and second factor (django-otp), as staff must be."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup")
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def officer_client(officer):
    """An officer who passed the second factor."""
    return otp_verified_client(officer)


@pytest.fixture
def officer_password_only_client(officer):
    """An officer who logged in with a password alone: the admin and documents stay closed."""
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def new_user(db):
    return UserFactory()


@pytest.fixture
def product(db):
    from tests.factories import ProductFactory, UsuryCapFactory

    UsuryCapFactory()
    return ProductFactory()


@pytest.fixture
def ready_draft(owner, product):
    """A draft with every task complete: the owner can send it."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from loans.applications import services
    from loans.applications.documents import check_upload
    from tests.factories import PlanFactory

    plan = PlanFactory(owner=owner)
    application = services.application_create(applicant=owner)
    services.application_set_plan(application=application, plan=plan)
    services.application_set_loan_request(
        application=application, product=product, amount=10_000_000, term_months=24, grace_months=3
    )
    services.document_add(
        application=application,
        kind="id_document",
        upload=check_upload(SimpleUploadedFile("cedula.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")),
        user=owner,
    )
    application.declarations_accepted_at = timezone.now()
    application.save()
    return application
