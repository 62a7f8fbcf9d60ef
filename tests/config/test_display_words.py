"""Durations and times read one way everywhere: "valid 1 minute", "1 day 3 hours",
"Tue 3 Dec, 3:11 PM EST" in DISPLAY_TIME_ZONE, from one helper and one template filter."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template import engines

from config.durations import describe, roughly

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"


@pytest.mark.parametrize(
    ("delta", "said"),
    [
        (timedelta(seconds=1), "1 second"),
        (timedelta(seconds=45), "45 seconds"),
        (timedelta(seconds=60), "1 minute"),
        (timedelta(seconds=100), "1 minute 40 seconds"),
        (timedelta(minutes=15), "15 minutes"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(hours=12), "12 hours"),
        (timedelta(hours=24), "24 hours"),
        (timedelta(hours=27), "1 day 3 hours"),
        (timedelta(hours=48), "48 hours"),
        (timedelta(days=3), "3 days"),
        (timedelta(days=30), "30 days"),
        (timedelta(days=1, hours=3, minutes=20), "1 day 3 hours"),
    ],
)
def test_durations_read_as_people_say_them(delta, said):
    assert describe(delta) == said


@pytest.mark.parametrize(
    ("delta", "said"),
    [
        (timedelta(seconds=20), "1 minute"),
        (timedelta(seconds=90), "2 minutes"),
        (timedelta(minutes=59, seconds=29), "59 minutes"),
        (timedelta(hours=3, minutes=40), "4 hours"),
        (timedelta(hours=3, minutes=20), "3 hours"),
        (timedelta(hours=27, minutes=10), "1 day 3 hours"),
    ],
)
def test_a_typical_time_is_said_roughly(delta, said):
    assert roughly(delta) == said


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_one_time_format_in_the_display_time_zone(settings):
    settings.DISPLAY_TIME_ZONE = "America/New_York"
    at = datetime(2024, 12, 3, 20, 11, tzinfo=UTC)
    assert _render("{{ at|when }}", at=at) == "Tue 3 Dec, 3:11 PM EST"
    assert _render("{{ at|when }}", at=None) == "—"


def test_the_duration_filter_is_available_to_every_template():
    assert _render("valid {{ d|duration }}", d=timedelta(seconds=100)) == (
        "valid 1 minute 40 seconds"
    )


AD_HOC = re.compile(r"\|(timeuntil|timesince)\b|\|date:\s*[\"'][^\"']*[gGhHi][^\"']*[\"']")


def test_no_template_formats_a_time_its_own_way():
    """Machine-readable stamps (<time datetime="…|date:'c'">) are fine; what people read goes
    through `when` (times) and `duration` (spans)."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.*")
        for match in AD_HOC.finditer(path.read_text())
    ]
    assert offenders == []
