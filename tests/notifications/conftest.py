import pytest

from applicants.sms import LocmemSMSBackend
from tests.eligibility.applications import send_application


@pytest.fixture
def send():
    return send_application


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "applicants.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    return LocmemSMSBackend.outbox
