"""A logging filter that keeps credentials and customer texts out of the logs.

Applied to the console handler in production (settings/production.py). It masks secrets in the
message (API tokens, Authorization headers, passwords, database URL passwords), replaces extra
fields whose name says they carry secrets or customer content, and reduces Django's `request`
extra to method and path (query strings may carry search terms such as e-mail addresses).
"""

import logging
import re

MASK = "[redacted]"
SENSITIVE_FIELDS = re.compile(
    r"pass(word)?|secret|token|authorization|api[_-]?key|cookie|session|"
    r"message_text|response_text|input_data|output_data|context_data|transcript|email|phone",
    re.IGNORECASE,
)
SECRET_PATTERNS = [
    (re.compile(r"(?i)\b(Token|Bearer)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + MASK),
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\",\s}]+(\s+[^'\",\s}]+)?"), r"\1" + MASK),
    (
        re.compile(r"(?i)(pass(?:word)?|secret(?:_key)?|api[_-]?key)(['\"]?\s*[:=]\s*['\"]?)[^'\"&,\s}]+"),
        r"\1\2" + MASK,
    ),
    (re.compile(r"([a-z][a-z0-9+.-]*://[^:/@\s]+):[^@\s]+@"), r"\1:" + MASK + "@"),
]
# Attributes every LogRecord has; anything else was passed with `extra=`.
STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact_text(text: str) -> str:
    for pattern, replacement in SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSensitiveData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = ()
        for name in set(vars(record)) - STANDARD_ATTRIBUTES:
            value = getattr(record, name)
            if name == "request" and hasattr(value, "method"):
                setattr(record, name, f"{value.method} {getattr(value, 'path', '')}")
            elif SENSITIVE_FIELDS.search(name):
                setattr(record, name, MASK)
            elif isinstance(value, str):
                setattr(record, name, redact_text(value))
        # Exception texts quote values (SQL parameters, URLs): format once, redact, keep the text only.
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


class QuietJobRegistration(logging.Filter):
    """Drop procrastinate's start-up lines (one per task, in every process, every `manage.py` command); its
    lines about jobs themselves (deferred, started, failed…) stay."""

    STARTUP = ("Registering task", "Adding tasks from blueprint")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("procrastinate.") and str(record.msg).startswith(self.STARTUP))
