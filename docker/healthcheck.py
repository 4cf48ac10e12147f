"""Container health probe for the web service: exit 0 when ``/healthz`` answers 200.

Production settings redirect plain HTTP to HTTPS and refuse unknown Host headers, so the
probe presents itself as the TLS-terminating proxy would: one of DJANGO_ALLOWED_HOSTS as
Host, and ``X-Forwarded-Proto: https`` (trusted through SECURE_PROXY_SSL_HEADER).

Usage: python docker/healthcheck.py [URL]   (default http://127.0.0.1:8000/healthz)
"""

import http.client
import os
import sys
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def host_header() -> str:
    first = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")[0].strip()
    # ".example.org" allows every subdomain; "*" allows anything.
    return first.lstrip(".") if first and first != "*" else "localhost"


def main(url: str = DEFAULT_URL) -> int:
    target = urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=5)
    try:
        connection.request("GET", target.path or "/", headers={"Host": host_header(), "X-Forwarded-Proto": "https"})
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as error:
        print(f"healthcheck: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"healthcheck: {url} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
