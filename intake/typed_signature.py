"""A typed signature as an image: the keyboard's way to sign (WCAG 2.1.1), stored like a drawn one.

The patient ticks "sign with my typed name"; the name they typed (already checked against the
booking) is drawn into a PNG the size of the signature box, so the consent record, the staff
review and the exported record treat both the same way. How it was signed is kept beside it
(`Consent.signature_method`).
"""

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 640, 200
INK = (31, 42, 44)


def typed_signature_png(name: str) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    size = 64
    font = ImageFont.load_default(size=size)
    # Shrink a long name until it fits the box with a margin.
    while size > 18 and draw.textlength(name, font=font) > WIDTH - 48:
        size -= 4
        font = ImageFont.load_default(size=size)
    draw.text((24, HEIGHT * 0.62), name, font=font, fill=INK, anchor="ls")
    draw.line((24, HEIGHT * 0.72, WIDTH - 24, HEIGHT * 0.72), fill=(160, 168, 170), width=2)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
