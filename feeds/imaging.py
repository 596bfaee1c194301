"""Pillow's part of the photos: an image file's bytes in, the web copies readers get out.

feeds.photos decides which pictures need converting and keeps the results in its
cache; it imports this module only when a picture must be converted, so that a
rebuild that finds every picture in the cache never imports Pillow. This module's
source names that cache (photos.settings_key): change a width or a quality here and
every picture is converted again.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import warnings

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .errors import ImageError

WIDTHS = (1600, 800, 400)
JPEG_QUALITY = 82
WEBP_QUALITY = 80
# HEIC, from phones, when the optional pillow-heif is installed. Imported when a picture
# is first opened: importing it takes 30-40 ms.
HEIC = importlib.util.find_spec("pillow_heif") is not None


@functools.cache
def _open_heic_too() -> None:
    if HEIC:
        from pillow_heif import register_heif_opener

        register_heif_opener()


_READ = {"JPEG", "PNG", "WEBP", "MPO"} | ({"HEIF"} if HEIC else set())  # MPO: camera JPEGs
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def convert(data: bytes) -> list[tuple[int, int, str, bytes]]:
    """An image file's bytes → (width, height, media type, bytes) of each web copy,
    widest first, JPEGs then WebPs. Raises ImageError for what cannot be published."""
    image = _open(data)
    files = []
    scaled = image
    # Each of WIDTHS the picture reaches, and its own width when it is narrower than the
    # widest (never scaled up), widest first.
    for width in sorted({min(w, image.width) for w in WIDTHS}, reverse=True):
        height = max(1, round(image.height * width / image.width))
        if (width, height) != scaled.size:
            scaled = scaled.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        files.append((width, height, scaled))
    return [(w, h, f"image/{kind.lower()}", _encode(im, kind))
            for kind in ("JPEG", "WEBP") for w, h, im in files]


def _open(data: bytes) -> Image.Image:
    """Decode, turn upright and bring to sRGB RGB with no metadata left."""
    with warnings.catch_warnings():
        # Past MAX_IMAGE_PIXELS Pillow only warns (it refuses at twice that): a picture
        # that large is no news photo, and decoding it could take all the memory.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            _open_heic_too()
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in _READ:
                    raise ImageError(f"{image.format} images are not published (use JPEG, "
                                     f"PNG or WebP{', HEIC' if HEIC else ''})")
                _decode_smaller(image)
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _srgb(upright, image.info.get("icc_profile"))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(f"has more than {Image.MAX_IMAGE_PIXELS:,} pixels (a decompression "
                             "bomb, or far larger than a web page needs)") from None
        except UnidentifiedImageError:
            raise ImageError("is not an image Pillow can read (damaged, or another format "
                             "under an image name)") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageError(f"is truncated or damaged ({exc})") from None


def _decode_smaller(image: Image.Image) -> None:
    """Have a JPEG decoded at 1/2, 1/4 or 1/8 of its size when that still leaves it as
    wide as the widest copy (a 4000 px camera photo: half the size, a quarter of the
    pixels to decode and scale). Other formats ignore it. The width that counts is the
    one shown, after the EXIF orientation turns the picture."""
    width, height = image.size
    if image.getexif().get(0x0112) in (5, 6, 7, 8):  # a quarter turn: the height is shown
        needed = (max(1, round(width * WIDTHS[0] / height)), WIDTHS[0])
    else:
        needed = (WIDTHS[0], max(1, round(height * WIDTHS[0] / width)))
    if needed[0] < width and needed[1] < height:
        image.draft("RGB", needed)


def _srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))  # JPEG has no transparency
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode not in ("RGB", "CMYK"):
        image = image.convert("RGB")
        icc = None  # a grey profile does not describe the RGB image
    if icc:
        # A broken profile leaves the pixels as they are: taken as sRGB, as browsers would.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):
            converted = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _SRGB, outputMode="RGB")
            if converted is not None:
                image = converted
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.info = {}  # nothing of the source's metadata may reach a saved copy
    return image


_SAVE = {"JPEG": {"quality": JPEG_QUALITY, "optimize": True, "progressive": True},
         "WEBP": {"quality": WEBP_QUALITY, "method": 4}}


def _encode(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **_SAVE[kind])
    return buffer.getvalue()
