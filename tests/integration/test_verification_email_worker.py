import re

import pytest
from django.urls import reverse

from applicants.models import User
from tests.factories import PASSWORD
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.needs_worker, pytest.mark.django_db(transaction=True)]


def test_the_verification_email_goes_through_redis_and_a_real_worker(client, celery_worker_process):
    response = client.post(
        reverse("applicants:register"),
        {"email": "worker@example.co", "password1": PASSWORD, "password2": PASSWORD, "consent": "on"},
    )
    assert response.status_code == 302

    def sent_mail():
        files = list(celery_worker_process.mail_dir.glob("*.log"))
        return files[0].read_text() if files else None

    message = wait_for(sent_mail)
    assert message, "no email within 30 s; worker log:\n" + celery_worker_process.log_path.read_text()
    assert "To: worker@example.co" in message
    assert "Task applicants.deliver_notification" in celery_worker_process.log_path.read_text()

    link = re.search(r"https?://\S+?(/cuenta/confirmar/[^/\s]+/[^/\s]+/)", message).group(1)
    assert client.get(link).status_code == 302
    assert User.objects.get(email="worker@example.co").email_verified_at is not None
