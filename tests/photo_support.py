"""Pictures made for the photo tests: drawn with Pillow, or written byte by byte where
Pillow would refuse to make them (a decompression bomb's header, an ICC profile)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(size=(1200, 800), colour=(200, 60, 40), *, kind="JPEG", mode="RGB", **save) -> bytes:
    image = Image.new(mode, size, colour)
    buffer = io.BytesIO()
    image.save(buffer, kind, **save)
    return buffer.getvalue()


def halves(size=(300, 200), left=(255, 0, 0), right=(0, 0, 255)) -> Image.Image:
    """Left half one colour, right half another: shows which way a picture was turned."""
    image = Image.new("RGB", size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    return image


def with_exif(image: Image.Image, orientation: int = 1, gps: bool = True, **save) -> bytes:
    """A JPEG as a phone saves it: orientation, a GPS position, a comment."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "ExampleCam"  # Make
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E",
                                      4: (116.0, 23.0, 17.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"taken at home", quality=95, **save)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims to be width x height and holds almost nothing: what a
    decompression bomb looks like to a reader that trusts the header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


# sRGB's colorants adapted to D50, as ICC profiles state them
_SRGB_COLORANTS = {"r": (0.4361, 0.2225, 0.0139), "g": (0.3851, 0.7169, 0.0971),
                   "b": (0.1431, 0.0606, 0.7141)}


def icc_swapping_red_and_green() -> bytes:
    """An RGB display profile (ICC v2, matrix and gamma) whose red channel is sRGB's green
    and whose green is sRGB's red: converted to sRGB, red pixels must turn green."""
    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + bytes(4) + s15(x) + s15(y) + s15(z)

    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, round(2.2 * 256)) + bytes(2)
    name = b"swapped test profile\0"
    desc = (b"desc" + bytes(4) + struct.pack(">I", len(name)) + name + bytes(8)
            + bytes(3) + bytes(67))
    tags = [(b"desc", desc), (b"cprt", b"text" + bytes(4) + b"none\0"),
            (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", xyz(*_SRGB_COLORANTS["g"])), (b"gXYZ", xyz(*_SRGB_COLORANTS["r"])),
            (b"bXYZ", xyz(*_SRGB_COLORANTS["b"])),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    table = struct.pack(">I", len(tags))
    body = b""
    offset = 128 + 4 + 12 * len(tags)
    for signature, data in tags:
        data += bytes(-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntr"
              + b"RGB " + b"XYZ " + bytes(12) + b"acsp" + bytes(4) + bytes(4) + bytes(4)
              + bytes(4) + bytes(8) + bytes(4) + s15(0.9642) + s15(1.0) + s15(0.8249)
              + bytes(4) + bytes(16) + bytes(28))
    assert len(header) == 128
    return header + table + body
