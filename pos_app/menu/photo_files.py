"""Dish photos as files: an uploaded image made safe and small, and the folder that keeps them
(the only writer of the photos folder; no database, no Flask).

An upload is opened by Pillow with only the JPEG, PNG and WebP decoders (no exotic decoder
reaches hostile bytes), refused when it claims more than MAX_PIXELS before a pixel is decoded,
turned upright by its EXIF orientation, flattened on white, shrunk to fit 800 x 800 and
written as WebP with no metadata at all (no GPS, no camera serial, no EXIF), plus a 200 x 200
thumbnail. Files are named by the SHA-256 of the photo's bytes: a name never changes meaning,
so browsers may keep them forever, and the same photo uploaded twice is one file.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; JPEGs decode at a reduced scale anyway
PHOTO_SIZE = (800, 800)
THUMB_SIZE = (200, 200)
QUALITY = 80
NAME = re.compile(r"^[0-9a-f]{16}(-thumb)?\.webp$")
URL_PREFIX = "/media/photos/"


class NotAnImage(ValueError):
    """The bytes are not a JPEG, PNG or WebP image this server will open; the message says why."""


@dataclass(frozen=True)
class Photo:
    """A photo ready to store: its WebP bytes and its thumbnail's."""

    photo: bytes
    thumb: bytes

    @property
    def name(self) -> str:
        """The stored file name: 16 hex digits of the photo's SHA-256."""
        return hashlib.sha256(self.photo).hexdigest()[:16] + ".webp"


def thumb_name(name: str) -> str:
    """The thumbnail's file name of a stored photo's."""
    return name.removesuffix(".webp") + "-thumb.webp"


def photo_urls(name: str | None) -> tuple[str | None, str | None]:
    """(photo URL, thumbnail URL) of a stored photo's name; (None, None) without one."""
    if not name:
        return None, None
    return URL_PREFIX + name, URL_PREFIX + thumb_name(name)


def make_photo(raw: bytes) -> Photo:
    """The photo and thumbnail of an uploaded image; NotAnImage when it cannot be one."""
    try:
        with Image.open(io.BytesIO(raw), formats=FORMATS) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise NotAnImage(f"{width} x {height} pixels: at most {MAX_PIXELS:,} pixels")
            image.draft("RGB", (PHOTO_SIZE[0] * 2, PHOTO_SIZE[1] * 2))  # JPEG: decode smaller
            upright = _flattened(ImageOps.exif_transpose(image))
    except NotAnImage:
        raise
    except Image.DecompressionBombError as err:
        raise NotAnImage("too many pixels") from err
    except Exception as err:  # noqa: BLE001 - Pillow's decoders raise many kinds on broken files
        raise NotAnImage("not a JPEG, PNG or WebP image, or a broken one") from err
    upright.thumbnail(PHOTO_SIZE, Image.Resampling.LANCZOS)
    thumb = upright.copy()
    thumb.thumbnail(THUMB_SIZE, Image.Resampling.LANCZOS)
    return Photo(_webp(upright), _webp(thumb))


def _flattened(image: Image.Image) -> Image.Image:
    """The image as plain RGB pixels: transparency on white, and no metadata carried along."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        out = Image.new("RGB", rgba.size, (255, 255, 255))
        out.paste(rgba, mask=rgba.getchannel("A"))
    else:
        out = image.convert("RGB")
    out.load()
    out.info = {}  # EXIF (GPS), XMP, ICC and comments stay behind
    return out


def _webp(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=QUALITY, method=4, exif=b"", xmp=b"", icc_profile=None)
    return out.getvalue()


def store(folder: Path, photo: Photo) -> str:
    """Write the photo and its thumbnail into `folder` (made if missing); the photo's name.

    Each file is written whole under a temporary name and then renamed, so a reader never
    gets half a file; a file already there is the same bytes (named by them) and is kept.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = photo.name
    for file_name, data in ((name, photo.photo), (thumb_name(name), photo.thumb)):
        target = folder / file_name
        if target.exists():
            continue
        handle, partial = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(partial, 0o644)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return name


def stored_file(folder: Path, name: str) -> Path | None:
    """The file of a photo or thumbnail name, or None for any other name or a missing file."""
    if not NAME.fullmatch(name):
        return None
    path = folder / name
    return path if path.is_file() else None
