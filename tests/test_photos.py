"""Making the web copies of pictures (feeds.photos): safe, small, sRGB, cached, and every
kind of bad file reported without stopping anything."""

import io
import os

import pytest
from photo_support import (
    GPS_IFD,
    halves,
    icc_swapping_red_and_green,
    picture,
    png_header,
    with_exif,
)
from PIL import Image

from feeds.errors import ImageError
from feeds.imaging import convert
from feeds.model import Listing, Photo
from feeds.photos import Gallery


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_widths_are_1600_800_400_in_jpeg_and_webp_and_never_scaled_up():
    made = convert(picture((3000, 2000)))
    assert [(w, h, kind) for w, h, kind, _ in made] == [
        (1600, 1067, "image/jpeg"), (800, 533, "image/jpeg"), (400, 267, "image/jpeg"),
        (1600, 1067, "image/webp"), (800, 533, "image/webp"), (400, 267, "image/webp")]
    for width, height, kind, data in made:
        image = opened(data)
        assert image.size == (width, height)
        assert image.format == {"image/jpeg": "JPEG", "image/webp": "WEBP"}[kind]
    assert [w for w, _, kind, _ in convert(picture((1000, 500))) if kind == "image/jpeg"] == [
        1000, 800, 400]
    assert [w for w, _, _, _ in convert(picture((300, 900)))] == [300, 300]


def test_exif_orientation_is_applied_and_no_metadata_is_left():
    phone = with_exif(halves((300, 200)), orientation=6, icc_profile=Image.new("RGB", (1, 1))
                      .info.get("icc_profile"))
    assert opened(phone).getexif().get_ifd(GPS_IFD)  # the source does say where it was
    for _, _, _, data in convert(phone):
        image = opened(data)
        # orientation 6: the picture is turned a quarter clockwise, left side on top
        assert image.size == (200, 300)
        assert image.convert("RGB").getpixel((100, 40))[0] > 200
        assert image.convert("RGB").getpixel((100, 260))[2] > 200
        assert not image.getexif()
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
        assert b"ExampleCam" not in data and b"taken at home" not in data


def test_colours_are_converted_to_srgb_with_the_embedded_profile():
    red_in_profile = picture((64, 64), (255, 0, 0), icc_profile=icc_swapping_red_and_green())
    r, g, b = opened(convert(red_in_profile)[0][3]).getpixel((32, 32))
    assert g > 200 and r < 40 and b < 40  # that profile's red is sRGB's green
    r, g, b = opened(convert(picture((64, 64), (255, 0, 0)))[0][3]).getpixel((32, 32))
    assert r > 200 and g < 40  # with no profile the pixels are sRGB already


@pytest.mark.parametrize("mode, kind", [("CMYK", "JPEG"), ("L", "JPEG"), ("RGBA", "PNG"),
                                        ("P", "PNG"), ("RGB", "WEBP")])
def test_other_colour_modes_become_rgb(mode, kind):
    colour = {"CMYK": (0, 0, 0, 0), "L": 255, "RGBA": (0, 0, 0, 0), "P": 0, "RGB": (255,) * 3}
    extra = {"transparency": 0} if mode == "P" else {}  # a transparent palette picture
    made = convert(picture((500, 300), colour[mode], kind=kind, mode=mode, **extra))
    image = opened(made[0][3])
    assert image.mode == "RGB"
    assert min(image.getpixel((10, 10))) > 240  # white; transparent is laid on white


def test_heic_from_a_phone_is_read():
    from pillow_heif import from_pillow

    buffer = io.BytesIO()
    from_pillow(halves((600, 400))).save(buffer, quality=90)
    made = convert(buffer.getvalue())
    assert [(w, h) for w, h, kind, _ in made if kind == "image/jpeg"] == [(600, 400), (400, 267)]


def test_encoding_is_deterministic():
    source = with_exif(halves((1800, 900)), orientation=3)
    assert convert(source) == convert(source)


@pytest.mark.parametrize("data, message", [
    (png_header(100_000, 100_000), "has more than 89,478,485 pixels"),
    (png_header(10_000, 10_000), "has more than 89,478,485 pixels"),  # Pillow only warns here
    (picture((800, 600))[:3000], "is truncated or damaged"),
    (b"\xff\xd8\xff\xe0 a damaged jpeg" * 20, "is truncated or damaged"),
    (b"<html>an error page saved as a photo</html>" * 20, "is not an image Pillow can read"),
    (picture((80, 60), kind="GIF"), "GIF images are not published"),
    (picture((80, 60), kind="BMP"), "BMP images are not published"),
])
def test_each_kind_of_bad_file_is_refused_with_its_reason(data, message):
    with pytest.raises(ImageError, match=message):
        convert(data)


def listing(*photos: Photo, path="2024-03-05-a01.txt") -> Listing:
    return Listing("tag:x,2024:1", "标题", "标题", "要闻", None, None, 0, path, 3, None, photos)


def test_a_bad_picture_is_reported_with_file_and_line_and_the_good_ones_stay(tmp_path):
    content = tmp_path / "content"
    (content / "photos").mkdir(parents=True)
    (content / "photos" / "good.jpg").write_bytes(picture())
    (content / "photos" / "cut.jpg").write_bytes(picture()[:2000])
    (content / "photos" / "bomb.png").write_bytes(png_header(100_000, 100_000))
    gallery = Gallery(content, tmp_path / "state")
    owner = listing(Photo("photos/cut.jpg", "图为甲", "", 7), Photo("photos/good.jpg", "图为乙", "", 9),
                    Photo("photos/gone.jpg", "图为丙", "", 11), Photo("photos/bomb.png", "", "", 13))
    assert [p.photo.src for p in gallery.pictures(owner)] == ["photos/good.jpg"]
    gallery.pictures(owner)  # asked again (pages and feeds both ask): reported once
    assert [(p.path, p.line) for p in gallery.problems] == [
        ("2024-03-05-a01.txt", 7), ("2024-03-05-a01.txt", 11), ("2024-03-05-a01.txt", 13)]
    assert "photos/gone.jpg not found" in gallery.problems[1].message
    assert str(gallery.problems[0]).startswith("2024-03-05-a01.txt:7: image photos/cut.jpg: "
                                               "is truncated or damaged")
    assert all(p.message.endswith("the article is published without it")
               for p in gallery.problems)


def test_an_unchanged_picture_is_not_read_again(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    source = content / "a.jpg"
    source.write_bytes(picture((900, 600)))
    owner = listing(Photo("a.jpg", "图为甲"))
    first = Gallery(content, tmp_path / "state")
    made = first.pictures(owner)
    first.save()
    # Same size and mtime, other bytes: a later run takes the cache's word for it,
    # so it cannot have read the file.
    stat = source.stat()
    source.write_bytes(b"\0" * stat.st_size)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = Gallery(content, tmp_path / "state")
    assert again.pictures(owner) == made and not again.problems
    # A change it can see (the mtime) makes it read the file, and report it.
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    third = Gallery(content, tmp_path / "state")
    assert third.pictures(owner) == () and len(third.problems) == 1


def test_a_damaged_cache_index_is_made_again_with_a_warning(tmp_path, caplog):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.jpg").write_bytes(picture((900, 600)))
    owner = listing(Photo("a.jpg", "图为甲"))
    first = Gallery(content, tmp_path / "state")
    made = first.pictures(owner)
    first.save()
    for index in (tmp_path / "state").rglob("index.json"):
        index.write_text("{not json")
    again = Gallery(content, tmp_path / "state")
    assert again.pictures(owner) == made
    [warning] = caplog.records
    assert warning.levelname == "WARNING" and "image cache's index is damaged" in warning.message


def test_web_copies_are_named_by_their_bytes_and_read_back_for_the_site_writer(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.png").write_bytes(picture((1000, 700), kind="PNG"))
    owner = listing(Photo("a.png", "图为甲"))
    gallery = Gallery(content, None)  # no cache at all: kept in memory for the build
    outputs = list(gallery.outputs([owner, owner]))
    assert len(outputs) == 6  # three widths, two formats, each once
    import hashlib

    for output in outputs:
        data = output.render()
        assert output.path.startswith("images/")
        assert output.path.split("/")[1].startswith(hashlib.sha256(data).hexdigest()[:20])
