"""Rate limits by route, counted in the shared cache with django-ratelimit.

One table (settings.RATE_LIMITED_VIEWS) says which named routes are limited, by which limit
(settings.RATE_LIMITS) and by which key, so the views themselves stay as they are and a
route keeps its limit when its module moves. Past a limit django-ratelimit's ``Ratelimited``
is raised and ``portal.views.too_many_requests`` answers 429 in the person's language.

Each entry: (limit name, key, methods, only_with_query). ``key`` is what django-ratelimit
takes ("ip", "user_or_ip", "post:<field>" or a dotted callable); ``only_with_query`` limits
GET pages that compute something (simulator, self-check) only when a query is asked.
Views may also raise ``Ratelimited`` themselves; django-ratelimit's middleware answers those.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited


def _rate(name: str):
    def rate(group, request):
        return settings.RATE_LIMITS[name]

    return rate


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None:
            return None
        for name, key, methods, only_with_query in settings.RATE_LIMITED_VIEWS.get(match.view_name, ()):
            if request.method not in methods or (only_with_query and not request.GET):
                continue
            if is_ratelimited(
                request, group=f"portal:{name}:{key}", key=key, rate=_rate(name), method=methods, increment=True
            ):
                # Answered here: an exception raised in process_view would bypass
                # RatelimitMiddleware and become a 403.
                return import_string(settings.RATELIMIT_VIEW)(request, Ratelimited())
        return None
