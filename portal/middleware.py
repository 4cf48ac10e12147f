from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class SpanishFirstLocaleMiddleware(LocaleMiddleware):
    """Spanish unless the person chose otherwise (language cookie); the browser's language is ignored.

    Many returnees' phones are set to English after years in the United States, but the
    programme speaks Spanish first; English is one click away and remembered.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            # Machines calling the API say their language in Accept-Language (Spanish by default).
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
