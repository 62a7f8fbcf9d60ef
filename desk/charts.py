"""Chart geometry for the analytics page, drawn as inline SVG by templates: no JavaScript, no
external resource, readable by a screen reader through the figure captions and data tables."""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html


@dataclass
class Bar:
    label: str
    text: str
    x: float
    y: float
    width: float
    height: float
    css: str = "bar"
    box: str = ""  # x, y, width and height as SVG attributes, printed as a template prints them


def _box(x, y, width, height) -> str:
    """`x="…" y="…" width="…" height="…"`, each number as `{{ value }}` would print it: one
    lookup per bar in the template instead of four (the weekly chart has two bars a week)."""
    return format_html(
        'x="{}" y="{}" width="{}" height="{}"', *map(number_format, (x, y, width, height))
    )


@dataclass
class Chart:
    """Geometry only: captions and words are in the templates that draw it."""

    width: int
    height: int
    bars: list[Bar]


LABEL_W, ROW_H, GAP, PLOT_W = 170, 22, 6, 380


def horizontal(items: list[tuple[str, float | None]], fmt=str) -> Chart:
    """One bar per item, longest = full width; `fmt` turns a value into the text beside it."""
    top = max((v for _, v in items if v), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        y = i * (ROW_H + GAP)
        bars.append(
            Bar(
                label=label,
                text=fmt(value) if value is not None else "—",
                x=LABEL_W,
                y=y,
                width=round(PLOT_W * (value or 0) / top, 1),
                height=ROW_H,
            )
        )
    return Chart(LABEL_W + PLOT_W + 90, max(1, len(items)) * (ROW_H + GAP), bars)


def weekly(weeks: list[tuple[str, int, int]]) -> Chart:
    """Columns per week: referrals received, the part answered within the goal drawn darker.
    `weeks` holds (label, received, answered within goal)."""
    col_w, plot_h, base = 28, 160, 180
    top = max((received for _, received, _ in weeks), default=0) or 1
    bars = []
    for i, (label, received, met) in enumerate(weeks):
        x = 40 + i * (col_w + GAP)
        total_h = plot_h * received / top
        met_h = plot_h * met / top
        for text, height, css in ((str(received), total_h, "bar-late"), (str(met), met_h, "bar")):
            box = _box(x, base - height, col_w, height)
            bars.append(Bar(label, text, x, base - height, col_w, height, css, box))
    return Chart(40 + max(1, len(weeks)) * (col_w + GAP) + 10, 230, bars)
