"""The worker logs through the same PII-redacting filter as the web: a refused recipient's
address, in the error and in the retry's traceback, never reaches the worker's log."""

import pytest
from django.db import transaction

from applicants.choices import AccountMail
from applicants.services import account_mail_queue
from tests.factories import UserFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.needs_worker, pytest.mark.django_db(transaction=True)]


def test_a_refused_address_is_redacted_in_the_worker_log(start_worker):
    worker = start_worker(EMAIL_BACKEND="tests.integration.slow_mail.RefusingBackend")
    user = UserFactory(email="rechazada.persona@example.co", email_verified_at=None)
    with transaction.atomic():
        account_mail_queue(user=user, kind=AccountMail.VERIFY_EMAIL)

    assert wait_for(lambda: "SMTPRecipientsRefused" in worker.log() or None), worker.log()
    log = worker.log()
    assert "rechazada.persona@example.co" not in log
    assert "[email]" in log
