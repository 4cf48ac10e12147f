"""Log filter that keeps personal data and secrets out of the logs."""

import logging
import re

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"\+?\d[\d\s-]{6,}\d"), "[number]"),
    (re.compile(r"(?i)(password|passwd|secret|token|csrfmiddlewaretoken)=\S+"), r"\1=[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPIIFilter(logging.Filter):
    """Rewrite every record's message so emails, long numbers and secrets never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = ()
        if record.exc_info:
            # Tracebacks carry local values and SQL parameters: format them now, redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
