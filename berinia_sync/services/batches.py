"""Cut a stream of infra-ia leads into batches of mapped leads, merging duplicates inside each batch.

A lead matches an earlier lead of its batch by phone first, then by e-mail (normal forms), like the
database-side matching; duplicates in different batches meet through Berinia instead (the second batch
finds the lead the first one wrote). Runs in the producer thread: no database access here.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .context import RunContext
from .mapping import MappedLead, Rejected, infra_id_of, map_lead


@dataclass(slots=True)
class Member:
    """One input lead of a batch and the group (future Berinia row) it belongs to."""

    position: int
    infra_id: str
    email: str
    phone: str | None
    campaign_id: int
    group: int
    merged: bool
    warning: str


@dataclass
class Batch:
    groups: list[MappedLead] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # staging rows, built by seal() once the batch is complete
    members: list[Member] = field(default_factory=list)
    rejections: list[tuple[int, str, str]] = field(default_factory=list)  # (position, infra_id, reason)
    _by_phone: dict[str, int] = field(default_factory=dict)
    _by_email: dict[str, int] = field(default_factory=dict)

    @property
    def received(self) -> int:
        return len(self.members) + len(self.rejections)

    def reject(self, position: int, infra_id: str, reason: str) -> None:
        self.rejections.append((position, infra_id, reason))

    def add(self, lead: MappedLead) -> None:
        group = self._by_phone.get(lead.phone) if lead.phone else None
        if group is None:
            group = self._by_email.get(lead.email)
        merged = group is not None
        if merged:
            self.groups[group].merge(lead)
        else:
            group = len(self.groups)
            self.groups.append(lead)
        if lead.phone:
            self._by_phone.setdefault(lead.phone, group)
        self._by_email.setdefault(lead.email, group)
        self.members.append(
            Member(lead.position, lead.infra_id, lead.email, lead.phone, lead.campaign_id, group, merged, lead.warning)
        )

    def stage_rows(self) -> list[tuple]:
        """Rows for the staging table; a group's seq is the input position of its first lead (unique per run)."""
        return [lead.stage_row(lead.position) for lead in self.groups]

    def seal(self) -> "Batch":
        """Build the staging rows now, in the producer thread, so the writing thread only talks to databases."""
        self.rows = self.stage_rows()
        return self


def build_batches(leads: Iterable, context: RunContext, batch_size: int, first_position: int = 1) -> Iterator[Batch]:
    """Map every lead (rejections included) into batches of `batch_size` input leads; streams its input.

    `first_position`: position of the first lead given (a resumed run goes on after the positions done).
    """
    batch = Batch()
    for position, raw in enumerate(leads, start=first_position):
        try:
            if isinstance(raw, Rejected):  # a line the reader could not parse
                raise raw
            batch.add(map_lead(raw, context, position))
        except Rejected as rejected:
            batch.reject(position, infra_id_of(raw), rejected.reason)
        if batch.received >= batch_size:
            yield batch.seal()
            batch = Batch()
    if batch.received:
        yield batch.seal()
