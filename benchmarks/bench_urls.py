"""The portal's URLs plus a trivial view, the reference for the status-page benchmark."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def minimal(request):
    """The issue's reference: a logged-in page on the same stack (session, user, base.html), nothing else."""
    return render(request, "base.html", {})


urlpatterns = [path("bench/trivial/", trivial), path("bench/minimal/", minimal), *portal_urlpatterns]
