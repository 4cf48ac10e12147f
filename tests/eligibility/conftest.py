import pytest

from tests.eligibility.applications import send_application


@pytest.fixture
def send():
    return send_application
