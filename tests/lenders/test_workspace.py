"""The intermediaries' web workspace: own referrals only, second factor required."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import Client

from loans.lenders import services
from tests.conftest import otp_verified_client
from tests.factories import StaffFactory
from tests.review.admin_pages import queued_application

URL = "/intermediario/remisiones/"


def _member(lender):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name="Intermediary"))
    lender.users.add(user)
    return user


def test_members_see_only_their_lenders_referrals(product, lender_a, lender_b, programme_officer):
    mine = queued_application(product=product, status="approved")
    theirs = queued_application(product=product, status="approved")
    services.referral_create(application=mine, officer=programme_officer, intermediary=lender_a)
    services.referral_create(application=theirs, officer=programme_officer, intermediary=lender_b)
    response = otp_verified_client(_member(lender_a)).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert mine.reference in html
    assert theirs.reference not in html


def test_a_password_alone_is_sent_to_the_second_factor(lender_a):
    client = Client()
    client.force_login(_member(lender_a))
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_people_outside_the_group_get_404(officer_client, owner_client):
    assert officer_client.get(URL).status_code == 404
    assert owner_client.get(URL).status_code == 302  # a returnee has no second factor: to the staff login
