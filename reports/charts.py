"""Horizontal bar charts drawn by the server as inline SVG: no script, no style attribute (the CSP).

The geometry is worked out here and the template only places it; colours come from classes in
reports.css. Every chart has a title and a description for screen readers, and its numbers are in
the table beside it.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 720
LABEL_WIDTH = 210
VALUE_WIDTH = 92
BAR_HEIGHT = 20
GAP = 10
TOP = 6
AXIS = 22  # room for the scale under the bars
LABEL_CHARACTERS = 30


@dataclass
class Segment:
    x: float
    width: float
    css: str
    title: str  # shown on hover, read by screen readers


@dataclass
class Bar:
    label: str
    text: str  # the value as written at the end of the bar
    y: float
    total: bool = False  # a location's or the clinic's total: set apart
    heading: bool = False  # a location's name over its providers' bars: no bar
    segments: list[Segment] = field(default_factory=list)
    text_x: float = 0

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2 + 4.5

    @property
    def height(self) -> int:
        return BAR_HEIGHT

    @property
    def bottom(self) -> float:
        return self.y + BAR_HEIGHT


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Chart:
    key: str  # unique on the page: the ids of the title and description
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def height(self) -> float:
        return TOP + len(self.bars) * (BAR_HEIGHT + GAP) + AXIS

    @property
    def axis_y(self) -> float:
        return TOP + len(self.bars) * (BAR_HEIGHT + GAP) - GAP / 2

    @property
    def tick_y(self) -> float:
        return self.axis_y + 16

    @property
    def label_x(self) -> int:
        return self.label_width - 10

    @property
    def plot_right(self) -> int:
        return self.width - VALUE_WIDTH


@dataclass
class Item:
    """One bar: its label and its parts (value, css class, what the part is), and its text."""

    label: str
    parts: Sequence[tuple[float, str, str]]
    text: str
    total: bool = False
    heading: bool = False


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def scale(largest: float, *, whole: bool) -> tuple[float, float]:
    """(top, step) of an axis that fits `largest` in at most five round steps (1, 2, 2.5 or 5 times a
    power of ten); `whole` when the steps must be whole numbers (counts)."""
    if largest <= 0:
        return (1.0, 1.0) if whole else (1.0, 0.25)
    power = 10.0 ** math.floor(math.log10(largest / 5))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if whole and (step < 1 or step != int(step)):
            continue
        if math.ceil(largest / step - 1e-9) <= 5:
            return step * math.ceil(largest / step - 1e-9), step
    return 10 * power * 5, 10 * power


def bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    items: Sequence[Item],
    percent: bool = False,
    legend: Sequence[tuple[str, str]] = (),
) -> Chart:
    """Bars for `items`, stacked where an item has several parts, from 0 to a round number above the
    largest total; `percent` when the values are fractions (the scale then stops at 100%)."""
    largest = max((sum(float(v) for v, _, _ in item.parts) for item in items), default=0)
    if percent:
        top, step = scale(min(largest, 1.0) * 100, whole=False) if largest > 0 else (100.0, 25.0)
        top, step = top / 100, step / 100
    else:
        top, step = scale(largest, whole=True)
    span = WIDTH - VALUE_WIDTH - LABEL_WIDTH
    bars = []
    for n, item in enumerate(items):
        bar = Bar(
            label=_short(item.label),
            text=item.text,
            y=TOP + n * (BAR_HEIGHT + GAP),
            total=item.total,
            heading=item.heading,
        )
        x = float(LABEL_WIDTH)
        for value, css, what in item.parts:
            width = span * min(max(float(value), 0.0), top) / top
            if width > 0:
                bar.segments.append(Segment(round(x, 1), round(width, 1), css, what))
                x += width
        bar.text_x = round(x + 6, 1)
        bars.append(bar)
    steps = round(top / step)
    ticks = [
        Tick(round(LABEL_WIDTH + span * n / steps, 1), _percent(step * n) if percent else _count(step * n))
        for n in range(steps + 1)
    ]
    return Chart(key=key, title=title, description=description, bars=bars, ticks=ticks, legend=list(legend))


def _count(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _percent(value: float) -> str:
    return f"{value:.0%}" if round(value * 100, 6) == int(round(value * 100, 6)) else f"{value:.1%}"
