from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class SpanishFirstLocaleMiddleware(LocaleMiddleware):
    """Spanish unless the person chose otherwise (language cookie); the browser's language is ignored.

    Many returnees' phones are set to English after years in the United States, but the
    programme speaks Spanish first; English is one click away and remembered.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ServedAddressSiteURLMiddleware:
    """Development only (``portal.settings.local`` without ``SITE_URL``): links in emails point
    at the address the browser reached this server on, whatever host or port ``runserver``
    listens on. Emails are sent in the same process there (Celery eager), right after the
    request that caused them. Production names its public address in ``SITE_URL``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        settings.SITE_URL = f"{request.scheme}://{request.get_host()}"
        return self.get_response(request)
