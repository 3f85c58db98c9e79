"""Images that used to cost a gigabyte or come out white (issue 17, item 6)."""
import struct
import tracemalloc
import warnings
import zlib

import numpy
import pytest
from PIL import Image

from data import folder, transforms
from data.folder import ImageFolder, load_image

MiB = 1 << 20


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _blank_png(path, width, height):
    """A black 8-bit grayscale PNG written row block by row block: a 10000x10000 one is ~100 KiB
    on disk and never exists decoded in this process."""
    squeeze, body = zlib.compressobj(9), []
    rows = bytes(width + 1) * 100  # each row: filter byte 0, then the pixels
    for _ in range(height // 100):
        body.append(squeeze.compress(rows))
    body.append(squeeze.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(body)) +
                     _chunk(b"IEND", b""))
    return path


def test_a_10000x10000_png_is_refused_before_decoding(tmp_path):
    path = _blank_png(tmp_path / "huge.png", 10000, 10000)
    assert path.stat().st_size < 400 * 1024
    tracemalloc.start()
    try:  # no DecompressionBombWarning either: minigrad's limit is the stricter one
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(OSError, match=r"huge.png: 10000x10000 pixels is more than the 40,000,000"):
                load_image(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 4 * MiB


def test_the_pixel_limit_is_inclusive_and_applies_to_skip_bad(tmp_path, monkeypatch):
    monkeypatch.setattr(folder, "MAX_IMAGE_PIXELS", 100)
    for name, size in (("ok", (10, 10)), ("big", (11, 10))):
        (tmp_path / "1").mkdir(exist_ok=True)
        Image.new("RGB", size, "gray").save(tmp_path / "1" / f"{name}.png")
    assert load_image(tmp_path / "1" / "ok.png").size == (10, 10)
    with pytest.raises(OSError, match="11x10 pixels is more than the 100"):
        load_image(tmp_path / "1" / "big.png")
    with pytest.warns(UserWarning, match="skipping unreadable image .*big.png"):
        dataset = ImageFolder(tmp_path, skip_bad=True)
    assert [path.rsplit("/", 1)[-1] for path, _ in dataset.samples] == ["ok.png"]


def test_a_large_jpeg_is_measured_after_its_draft(tmp_path, monkeypatch):
    """With a Resize the JPEG is decoded at 1/8 scale: the limit applies to that size."""
    Image.new("RGB", (800, 800), "gray").save(tmp_path / "big.jpg")
    monkeypatch.setattr(folder, "MAX_IMAGE_PIXELS", 200 * 200)
    assert load_image(tmp_path / "big.jpg", resize=transforms.Resize((32, 32))).size == (100, 100)
    with pytest.raises(OSError, match="800x800 pixels"):
        load_image(tmp_path / "big.jpg")


def test_a_16_bit_png_is_scaled_not_clipped_to_white(tmp_path):
    values = numpy.arange(0, 65536, 257, dtype=numpy.uint32)[:256].reshape(16, 16)
    Image.fromarray(values.astype(numpy.uint16)).save(tmp_path / "deep.png")
    with Image.open(tmp_path / "deep.png") as raw:
        assert raw.mode.startswith("I")
    rgb = numpy.asarray(load_image(tmp_path / "deep.png"))
    expected = numpy.rint(values / 257).astype(numpy.uint8)
    assert rgb.shape == (16, 16, 3)
    assert all(numpy.array_equal(rgb[..., channel], expected) for channel in range(3))


@pytest.mark.parametrize("mode, values, expected", [("I", [[-5, 0, 257, 70000]], [[0, 0, 1, 255]]),
                                                    ("I;16", [[0, 128, 32896, 65535]], [[0, 0, 128, 255]])],
                         ids=["mode-I-clipped-to-16-bits", "mode-I;16-rounded"])
def test_to_rgb_of_sixteen_bit_modes_follows_the_formula(mode, values, expected):
    dtype = numpy.int32 if mode == "I" else numpy.uint16
    img = Image.fromarray(numpy.array(values, dtype=dtype), mode if mode == "I" else None)
    assert img.mode == mode
    assert numpy.asarray(folder.to_rgb(img))[..., 0].tolist() == expected
