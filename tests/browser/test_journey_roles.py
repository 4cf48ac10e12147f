"""The browser journeys' role groups come back as the migrations leave them after a flush."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.browser.journeys import role

ROLE_NAMES = ("Program officer", "Approver", "Analyst", "Programme operator", "Mentor", "Intermediary")


@pytest.mark.django_db
def test_a_flushed_role_group_is_put_back_with_the_permissions_of_every_migration():
    names = [name for name in ROLE_NAMES if Group.objects.filter(name=name).exists()]
    assert "Intermediary" in names and "Program officer" in names
    migrated = {
        name: set(Group.objects.get(name=name).permissions.values_list("codename", flat=True)) for name in names
    }
    Group.objects.filter(name__in=names).delete()  # what a transactional test's flush leaves
    restored = {name: set(role(name).permissions.values_list("codename", flat=True)) for name in names}
    assert restored == migrated
