"""manage.py export_leads PATH: export infra-ia leads (JSON array, JSON Lines, CSV; "-" for stdin) into Berinia.

Exit status: 0 every lead exported, 3 finished with rejected leads, 1 could not run (one-line error).
"""

import csv
import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from berinia_sync.readers import FORMATS, open_input, read_leads
from berinia_sync.reports import LeadReport, Progress
from berinia_sync.services import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, export_leads
from core.commands import domain_errors_as_command_errors

EXIT_REJECTED = 3


class Command(BaseCommand):
    help = "Export infra-ia leads into Berinia (validated, deduplicated, batched). Exit 0, 3 (rejections) or 1."

    def add_arguments(self, parser):
        parser.add_argument("path", help='JSON array, JSON Lines or CSV file of infra-ia leads; "-" reads stdin.')
        parser.add_argument("--campaign", type=int, help="Berinia campaign id for every lead (else each lead's own).")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Leads per transaction.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and match; write nothing to Berinia.")
        parser.add_argument(
            "--report",
            metavar="PATH",
            help="Write what happened to every lead: outcome, Berinia lead id, match, merge, reason "
            "(.csv/.json; never the input).",
        )
        parser.add_argument("--force", action="store_true", help="Replace an existing --report file.")
        parser.add_argument("--format", choices=FORMATS, help="Input format (default: guessed from the content).")

    def handle(self, *args, path, campaign, batch_size, dry_run, report, force, format, **options):
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise CommandError(f"--batch-size must be between 1 and {MAX_BATCH_SIZE}.")
        try:
            stream = open_input(path)
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}.") from None
        try:
            with domain_errors_as_command_errors():
                report_file = LeadReport(report, input_path=path, force=force) if report else None
        except OSError as error:
            _close(stream)
            raise CommandError(f"cannot write the report {report}: {error.strerror}.") from None
        except CommandError:
            _close(stream)
            raise
        progress = Progress(self.stderr._out)
        try:
            with domain_errors_as_command_errors(UnicodeDecodeError, ValueError, csv.Error):
                result = export_leads(
                    read_leads(stream, format, name=path),
                    campaign,
                    batch_size=batch_size,
                    dry_run=dry_run,
                    started_by=_os_user(),
                    origin="command",
                    source_name=path,
                    on_lead=report_file,
                    on_progress=progress,
                )
        finally:
            progress.done()
            if report_file:
                report_file.close()
            _close(stream)
        self.stdout.write(_summary(result, report))
        if not result.complete:
            sys.exit(EXIT_REJECTED)


def _close(stream) -> None:
    if stream is not sys.stdin.buffer:
        stream.close()


def _summary(result, report) -> str:
    rows = [
        ("read", result.received),
        ("inserted", result.inserted),
        ("updated", result.updated),
        ("unchanged", result.unchanged),
        ("merged (duplicates in the input)", result.merged),
        ("rejected", result.rejected),
    ]
    title = f"Export run #{result.run_id}" + (" (dry run: nothing written)" if result.dry_run else "")
    lines = [title, *(f"  {label:<34}{value:>10,}" for label, value in rows)]
    if report:
        lines.append(f"  every lead's outcome (and each rejection's reason): {report}")
    elif result.rejected:
        lines.append(f"  reasons: --report PATH, or the admin (export run #{result.run_id})")
    return "\n".join(lines)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
