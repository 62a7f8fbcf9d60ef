"""`manage.py import_providers FILE.csv [--dry-run]`: load the provider roster from CSV.

The whole file is checked first; any bad row stops the import with every problem listed by line
number, and nothing is changed. Large files show a progress line on stderr.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.actors import Actor
from providers.roster_csv import COLUMNS, RosterInvalid, import_roster

PROGRESS_FROM = 200  # rows; smaller files finish before a progress line helps


class Command(BaseCommand):
    help = "Import providers and their insurance networks from CSV. Columns: " + ", ".join(COLUMNS)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, change nothing"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        try:
            summary = import_roster(
                data,
                actor=Actor(label=f"import_providers {file.name}"[:80]),
                dry_run=dry_run,
                progress=self._progress,
            )
        except RosterInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(invalid.errors)} problem(s) in {file}; nothing was imported."
            ) from None
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {summary.rows} rows: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged."
        )
        for column, names in summary.created_names.items():
            self.stdout.write(f"New {column.replace('_', ' ')}: {', '.join(names)}")
        if summary.declined_referrals:
            self.stdout.write(
                f"{summary.declined_referrals} waiting referral(s) of providers made inactive "
                "declined and made available to others."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")

    def _progress(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        step = max(total // 50, 1)
        if done % step and done != total:
            return
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done == total else ""
        self.stderr.write(f"\r[{bar}] {done}/{total} rows", ending=end)
        self.stderr.flush()
