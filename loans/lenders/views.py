"""The intermediaries' web workspace (issue 16): their own referrals, after the second factor."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from loans import permissions
from loans.lenders.selectors import referrals_for_user


def workspace(request):
    user = request.user
    if not user.is_authenticated or not user.is_verified():  # a password alone opens nothing
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not permissions.is_intermediary_user(user):
        raise Http404
    page = Paginator(referrals_for_user(user), 50).get_page(request.GET.get("page"))
    return render(request, "loans/lenders/workspace.html", {"page": page})
