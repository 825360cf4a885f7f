"""Photos for the photo tests: a phone's JPEG with location and device in its EXIF (turned by the
Orientation tag), PNG and HEIC files, things that are not photos, and the private storage in a
temporary folder."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

DEVICE = "SpyPhone 15 Pro"
# EXIF tag numbers: Make, Model, Orientation, GPS IFD, and in the GPS IFD latitude/longitude.
MAKE, MODEL, ORIENTATION, GPS_IFD = 0x010F, 0x0110, 0x0112, 0x8825
ROTATED_90 = 6  # "the camera was turned: rotate 90° clockwise to view"


def phone_jpeg(size=(400, 300), *, orientation: int = ROTATED_90, colour=(200, 160, 140)) -> bytes:
    """A landscape JPEG whose EXIF says where it was taken, with what, and that it is to be turned."""
    image = Image.new("RGB", size, colour)
    image.paste((20, 20, 20), (0, 0, size[0] // 4, size[1] // 4))  # a dark corner, to see the turn
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ORIENTATION] = "SpyCorp", DEVICE, orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (27.0, 20.0, 10.5), 3: "W", 4: (82.0, 31.0, 50.2)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_bytes(size=(300, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (120, 140, 160, 200)).save(out, format="PNG")
    return out.getvalue()


def heic_bytes(size=(300, 400)) -> bytes | None:
    """A HEIC file, when this pillow-heif can encode one (it reads them either way)."""
    import pillow_heif

    try:
        heif = pillow_heif.from_pillow(Image.new("RGB", size, (90, 120, 150)))
        out = io.BytesIO()
        heif.save(out, quality=80)
    except Exception:
        return None
    return out.getvalue()


def phone_heic() -> bytes:
    """A HEIC file as an iPhone sends it: location and device in its EXIF."""
    import pillow_heif

    from charting import imaging  # noqa: F401 - registers the HEIF opener

    heif = pillow_heif.from_pillow(Image.open(io.BytesIO(phone_jpeg(size=(300, 400), orientation=1))))
    out = io.BytesIO()
    heif.save(out, quality=80)
    assert DEVICE.encode() in out.getvalue()
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def photo_store(settings, tmp_path) -> Path:
    """The private photo storage in a folder of this test's own."""
    folder = tmp_path / "photos"
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                   "OPTIONS": {"location": str(folder), "base_url": None}},
    }  # fmt: skip
    return folder
