"""Synthetic photo sets for the demo patient: a drawn face per expression (no real person, no
network), before treatment at both charted visits. The earlier visit's face is lopsided (a fuller
left jaw, the left mouth corner pulled down); the later one nearly even, as her chart says.

Called by `charting.demo.seed`; idempotent (a visit that has photos gets none added).
"""

import io
import math
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFilter

from bookings.models import Appointment

from .imaging import photo_reencode
from .models import Expression
from .photo_models import Phase, Photo
from .services.photos import PhotoInput, photo_renditions_make, photos_add

W, H = 600, 800
SKIN, HAIR, LINE = (226, 190, 160), (74, 52, 40), (96, 60, 50)


def face_image(expression: str, *, asymmetry: float) -> bytes:
    """A simple face in one expression; `asymmetry` 0 (even) to 1 (the demo's first visit)."""
    image = Image.new("RGB", (W, H), (208, 218, 222))
    draw = ImageDraw.Draw(image)
    cx = W // 2
    draw.rectangle((0, 0, W, 90), fill=(196, 208, 212))
    draw.rectangle((cx - 70, 640, cx + 70, H), fill=SKIN)  # neck
    draw.ellipse((cx - 190, 580, cx + 190, H + 160), fill=(64, 96, 110))  # shoulders
    jaw_left = 132 + int(24 * asymmetry) + (10 if expression == "clench" else 0)  # a bulkier left masseter
    jaw_right = 132 + (6 if expression == "clench" else 0)
    # The patient's left is the viewer's right.
    face = [(cx - 165, 330), (cx - jaw_right, 540), (cx - 60, 650), (cx + 60, 650), (cx + jaw_left, 540),
            (cx + 165, 330)]  # fmt: skip
    draw.ellipse((cx - 170, 120, cx + 170, 520), fill=SKIN)
    draw.polygon(face, fill=SKIN)
    draw.chord((cx - 180, 90, cx + 180, 360), 180, 360, fill=HAIR)
    brow_lift = {"brows": 22, "frown": -8, "squint": -6}.get(expression, 0)
    eye_open = {"squint": 4, "brows": 16, "smile": 8}.get(expression, 12)
    for side in (-1, 1):
        ex = cx + side * 70
        inner = -10 if expression == "frown" else 0
        brow = (ex - 38 - side * inner, 300 - brow_lift, ex + 38 - side * inner, 294 - brow_lift - side * 2)
        draw.line(brow, fill=HAIR, width=9)
        draw.ellipse((ex - 30, 340 - eye_open, ex + 30, 340 + eye_open), fill=(250, 250, 250), outline=LINE, width=2)
        draw.ellipse((ex - 9, 340 - min(eye_open, 9), ex + 9, 340 + min(eye_open, 9)), fill=(70, 90, 110))
        if expression == "squint":
            draw.arc((ex - 40, 330, ex + 40, 370), 20, 160, fill=LINE, width=2)
    if expression == "frown":
        draw.line((cx - 10, 288, cx - 6, 318), fill=LINE, width=3)
        draw.line((cx + 10, 288, cx + 6, 318), fill=LINE, width=3)
    if expression == "brows":
        for y in (230, 248):
            draw.arc((cx - 90, y, cx + 90, y + 30), 200, 340, fill=LINE, width=2)
    draw.polygon([(cx, 350), (cx - 22, 440), (cx + 22, 440)], fill=(214, 174, 146))
    # The mouth: the patient's left corner (viewer's right) pulled down by the DAO.
    pull = int(26 * asymmetry) if expression in ("rest", "smile", "frown") else int(10 * asymmetry)
    lift = {"smile": 22, "frown": -14}.get(expression, 0)
    left_corner, right_corner = (cx + 62, 500 - lift + pull), (cx - 62, 500 - lift)
    mid = 500 + (14 if expression == "smile" else 0)
    points = [right_corner] + [(cx + t, mid + int(6 * math.cos(t / 60))) for t in range(-50, 51, 10)] + [left_corner]
    draw.line(points, fill=(160, 70, 70), width=8, joint="curve")
    if expression == "clench":
        draw.line((cx - 50, 500, cx + 50, 500), fill=(240, 240, 240), width=6)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def seed_photos(visits: list[tuple[Appointment, float]], *, actor) -> None:
    """A "before" set of the six expressions for each visit, renditions made at once (no worker needed)."""
    for appointment, asymmetry in visits:
        if Photo.objects.filter(appointment=appointment).exists():
            continue
        photos = [PhotoInput(v, photo_reencode(face_image(v, asymmetry=asymmetry))) for v in Expression.values]
        added = photos_add(appointment=appointment, phase=Phase.BEFORE, photos=photos, actor=actor,
                           now=appointment.start + timedelta(minutes=5))  # fmt: skip
        for photo in added:
            photo_renditions_make(photo.pk)
