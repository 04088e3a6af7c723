"""Domain errors of the Berinia export; messages are fit for a one-line CLI error and never hold credentials."""

import re

from core.errors import Conflict, DomainError, InvalidInput

_SECRETS = [
    (re.compile(r"(\w+://[^:/@\s]*:)[^@\s]*@"), r"\1***@"),  # scheme://user:password@
    (re.compile(r"(password\s*=\s*)\S+", re.IGNORECASE), r"\1***"),
]


def scrub(message: str) -> str:
    """The first line of a driver message, without anything that looks like a password."""
    line = str(message).strip().splitlines()[0] if str(message).strip() else "unknown error"
    for pattern, replacement in _SECRETS:
        line = pattern.sub(replacement, line)
    return line


class BeriniaUnavailable(DomainError):
    """Berinia's database cannot be reached (or the connection broke during the run)."""


class BeriniaSchemaError(DomainError):
    """Berinia's tables or columns are not what the exporter writes to."""


class UnknownCampaign(InvalidInput):
    """The run's campaign does not exist in Berinia."""


class RunTakenOver(DomainError):
    """Another process took the run over (this one was thought dead): this one must stop writing to it."""


class RunBusy(Conflict):
    """The run is being exported by another live process."""


class InvalidUpload(InvalidInput):
    """An uploaded lead file that cannot be read (unknown format, not UTF-8, broken CSV/JSON)."""
