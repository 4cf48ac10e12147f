"""Settings for the report benchmarks: the test settings (same middleware as production: sessions,
django-otp, CSP, axes) on a benchmark database, with a trivial view added to the URLconf.

Not for production: DEBUG off, no HTTPS redirects, local-memory cache.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_reports_bench")

from portal.settings.test import *  # noqa: E402,F403

ROOT_URLCONF = "benchmarks.bench_urls"
# Stream every size straight away: the benchmark measures the streamed path at one million rows.
EXPORT_STREAM_MAX_ROWS = 10_000_000
CONN_MAX_AGE = 60
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
