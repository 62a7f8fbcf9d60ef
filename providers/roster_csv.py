"""The provider roster as CSV: import (validated whole, applied all-or-nothing) and export.

Columns: first_name, last_name, email, phone, slack_user_id, status (active/inactive),
insurance_networks (names separated by ";", created if new), and optionally credentials,
specialties, languages (";"-separated, created if new), bio and office_phone (the line clients
are given; `phone` is the mobile for alerts). Phones go through `config.phones`. A row is matched to a provider by
email, ignoring case, so importing the same file twice updates instead of duplicating. Status
changes go through `set_provider_status`, so the policy for inactive providers applies.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from config.actors import Actor
from config.csv_cells import read_cell, write_cell
from config.phones import parse_phone
from config.validation import clean_name
from notifications.slack_ids import validate_slack_user_id
from providers.models import BIO_MAX, InsuranceNetwork, Language, Provider, Specialty
from providers.services import set_provider_status

REQUIRED = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "slack_user_id",
    "status",
    "insurance_networks",
]
OPTIONAL = ["credentials", "specialties", "languages", "bio", "office_phone"]
COLUMNS = REQUIRED + OPTIONAL
LISTS = {"insurance_networks": InsuranceNetwork, "specialties": Specialty, "languages": Language}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}"


class RosterInvalid(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class RosterRow:
    line: int
    values: dict  # column -> cleaned value; optional columns only if the file has them


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    declined_referrals: int = 0
    dry_run: bool = False
    created_names: dict = field(default_factory=dict)  # kind -> names of new networks etc.


def parse(data: bytes | str) -> list[RosterRow]:
    """Every row, cleaned; or RosterInvalid listing every bad row by line number."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RosterInvalid(
                [RowError(1, "the file is not UTF-8 text (save it as CSV UTF-8)")]
            ) from exc
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise RosterInvalid([RowError(1, "the file is empty")]) from None
    problems = _header_problems(header)
    if problems:
        raise RosterInvalid([RowError(1, p) for p in problems])
    rows, errors, first_line_of = [], [], {}
    line = reader.line_num
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                errors.append(
                    RowError(start, f"{len(record)} columns, the header has {len(header)}")
                )
                continue
            cells = (read_cell(cell) for cell in record)
            values, row_errors = _clean(dict(zip(header, cells, strict=True)))
            email = values.get("email")
            if email and email in first_line_of:
                row_errors.append(f"email: {email} is also on line {first_line_of[email]}")
            elif email:
                first_line_of[email] = start
            errors.extend(RowError(start, message) for message in row_errors)
            rows.append(RosterRow(start, values))
    except csv.Error as exc:
        errors.append(RowError(line + 1, f"not valid CSV ({exc})"))
    if errors:
        raise RosterInvalid(errors)
    return rows


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        problems.append(
            "unknown column(s): " + ", ".join(unknown) + "; expected " + ", ".join(COLUMNS)
        )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        problems.append("repeated column(s): " + ", ".join(repeated))
    return problems


def _clean(raw: dict) -> tuple[dict, list[str]]:
    values, errors = {}, []

    def check(column, cleaner):
        try:
            values[column] = cleaner(raw[column].strip())
        except ValidationError as exc:
            errors.append(f"{column}: {' '.join(exc.messages)}")

    check("first_name", lambda v: clean_name(v, "First name"))
    check("last_name", lambda v: clean_name(v, "Last name"))
    check("email", _clean_email)
    check("phone", parse_phone)
    check("slack_user_id", _clean_slack_id)
    check("status", _clean_status)
    for column, model in LISTS.items():
        if column in raw:
            check(column, lambda v, model=model: _clean_names(v, model))
    if "credentials" in raw:
        check("credentials", lambda v: _max(v, 80))
    if "bio" in raw:
        check("bio", lambda v: _max(v, BIO_MAX))
    if "office_phone" in raw:
        check("office_phone", parse_phone)
    return values, errors


def _clean_email(value: str) -> str:
    if not value:
        raise ValidationError("required")
    validate_email(value)
    return value.lower()


def _clean_slack_id(value: str) -> str:
    validate_slack_user_id(value)
    return value


def _clean_status(value: str) -> str:
    if value.lower() not in Provider.Status.values:
        raise ValidationError(f"{value!r} is not active or inactive")
    return value.lower()


def _clean_names(value: str, model) -> list[str]:
    limit = model._meta.get_field("name").max_length
    names, seen = [], set()
    for name in (" ".join(part.split()) for part in value.split(";")):
        if not name or name.lower() in seen:
            continue
        if len(name) > limit:
            raise ValidationError(f"{name[:20]!r}… is longer than {limit} characters")
        seen.add(name.lower())
        names.append(name)
    return names


def _max(value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValidationError(f"longer than {limit} characters")
    return value


Progress = Callable[[int, int], None]


def import_roster(
    data: bytes | str, *, actor: Actor, dry_run: bool = False, progress: Progress | None = None
) -> ImportSummary:
    """Validate the whole file, then apply it in one transaction (rolled back for a dry run)."""
    rows = parse(data)
    summary = ImportSummary(rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        lookup = {column: _named(model, rows, column, summary) for column, model in LISTS.items()}
        emails = [r.values["email"] for r in rows]
        existing = {
            p.email_lower: p
            for p in Provider.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .prefetch_related(*LISTS)
        }
        for done, row in enumerate(rows, 1):
            _apply(row.values, existing.get(row.values["email"]), lookup, actor, summary)
            if progress:
                progress(done, len(rows))
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _named(model, rows, column, summary) -> dict:
    """Name (lower case) -> row for every name the file uses; new names are created."""
    wanted = {n.lower(): n for r in rows for n in r.values.get(column, [])}
    found = {obj.name.lower(): obj for obj in model.objects.all()}
    new = [model(name=name) for key, name in wanted.items() if key not in found]
    for obj in new:
        obj.save()
        found[obj.name.lower()] = obj
    if new:
        summary.created_names[column] = [obj.name for obj in new]
    return found


_FIELDS = [
    "first_name",
    "last_name",
    "phone",
    "slack_user_id",
    "credentials",
    "bio",
    "office_phone",
]


def _apply(values: dict, provider, lookup, actor, summary) -> None:
    if provider is None:
        provider = Provider.objects.create(
            email=values["email"],
            status=values["status"],
            **{f: values[f] for f in _FIELDS if f in values},
        )
        for column in LISTS:
            if column in values:
                getattr(provider, column).set([lookup[column][n.lower()] for n in values[column]])
        summary.created += 1
        return
    changed = [f for f in _FIELDS if f in values and getattr(provider, f) != values[f]]
    for f in changed:
        setattr(provider, f, values[f])
    if changed:
        provider.save(update_fields=changed)
    for column in LISTS:
        if column not in values:
            continue
        wanted = {lookup[column][n.lower()].pk for n in values[column]}
        if wanted != {obj.pk for obj in getattr(provider, column).all()}:
            getattr(provider, column).set(wanted)
            changed.append(column)
    if values["status"] != provider.status:
        result = set_provider_status(provider, values["status"], actor=actor)
        summary.declined_referrals += len(result.declined)
        changed.append("status")
    if changed:
        summary.updated += 1
    else:
        summary.unchanged += 1


def export_roster(providers=None) -> str:
    """The roster (all providers by default) as CSV text with the import's columns."""
    providers = (providers if providers is not None else Provider.objects.all()).prefetch_related(
        *LISTS
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in providers.order_by("last_name", "first_name", "pk"):
        row = [
            p.first_name,
            p.last_name,
            p.email,
            p.phone,
            p.slack_user_id,
            p.status,
            "; ".join(n.name for n in p.insurance_networks.all()),
            p.credentials,
            "; ".join(s.name for s in p.specialties.all()),
            "; ".join(lang.name for lang in p.languages.all()),
            p.bio,
            p.office_phone,
        ]
        writer.writerow([write_cell(value) for value in row])
    return out.getvalue()
