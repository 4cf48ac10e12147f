import time

from django.conf import settings
from django.contrib.auth import logout
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


class SessionLifetimeMiddleware:
    """Staff sessions end at browser close and after STAFF_SESSION_MAX_SECONDS whatever happens;
    a returnee's ends after RETURNEE_SESSION_IDLE_SECONDS without a visit (SESSION_COOKIE_AGE).

    The idle clock is pushed forward at most once an hour, so a returnee browsing does not
    write the session on every page.
    """

    STAFF_SINCE = "_staff_session_since"
    SEEN = "_session_seen"
    REFRESH_EVERY = 60 * 60

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def on_login(cls, sender, request, user, **kwargs) -> None:
        """user_logged_in receiver: start the clocks with the login, which saves the session
        anyway, so the next page does not write it again."""
        if request is None or not hasattr(request, "session"):
            return
        now = int(time.time())
        if user.is_staff:
            request.session[cls.STAFF_SINCE] = now
            request.session.set_expiry(0)
        else:
            request.session[cls.SEEN] = now

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = int(time.time())
            if user.is_staff:
                since = session.get(self.STAFF_SINCE)
                if since is None:
                    session[self.STAFF_SINCE] = now
                    session.set_expiry(0)  # the cookie dies with the browser
                elif now - since > settings.STAFF_SESSION_MAX_SECONDS:
                    logout(request)
            elif now - session.get(self.SEEN, 0) > self.REFRESH_EVERY:
                session[self.SEEN] = now  # modified: saved with a fresh SESSION_COOKIE_AGE
        return self.get_response(request)
