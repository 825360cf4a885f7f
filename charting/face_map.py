"""The face map: the static SVG drawing (`charting/static/charting/face-map.svg`), inlined in the
chart page with the units of each area and side written into its regions (no JavaScript needed to
read it; `face-map.js` only makes a click focus the table's row)."""

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SVG = "charting/static/charting/face-map.svg"


@cache
def _drawing() -> str:
    path = finders.find("charting/face-map.svg") or str(Path(__file__).parent / "static/charting/face-map.svg")
    return Path(path).read_text(encoding="utf-8")


def face_map(labels: Mapping[str, str], area_ids: Mapping[str, int]) -> SafeString:
    """The drawing with `labels` ("masseter-left" → "30") in its regions; labelled regions are marked.

    Each region gets its area's id (`area_ids`: slug → pk), so a click can pick it in a table row.
    """
    svg = _drawing()
    for slug, pk in area_ids.items():
        svg = svg.replace(f'data-area="{escape(slug)}"', f'data-area="{escape(slug)}" data-area-id="{int(pk)}"')
    for key, label in labels.items():
        svg = re.sub(
            rf'(<text class="units" id="units-{re.escape(key)}"[^>]*>)(</text>)',
            lambda m, label=label: m.group(1) + escape(label) + m.group(2),
            svg,
        )
        svg = svg.replace(f'class="region" id="region-{key}"', f'class="region has-units" id="region-{key}"')
    return mark_safe(svg)  # noqa: S308 - our own static drawing; the labels are escaped above
