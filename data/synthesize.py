"""Drawing photo-like pictures of RMB banknotes with Pillow, for users without the real photos.

The two classes follow the photos the tutorial trains on (the 1980 1-yuan note, pink-brown
with two portraits on the right; the 1990 100-yuan note, blue-grey with four portraits left of
centre and a pale watermark field on the left). They differ in layout and brightness structure,
not only in colour, so they stay distinguishable after RandomGrayscale. Every picture is
drawn from its own seeded generator: note, wear, placement, light, blur, noise and JPEG quality.
"""
import io
import math

import numpy
from PIL import Image, ImageDraw, ImageFilter, ImageFont

NOTES = {
    # base colour, dark ink colour, aspect (width / height), typical photo width range
    "1": {"paper": (222, 168, 160), "ink": (120, 62, 58), "accent": (92, 110, 96), "aspect": 2.0,
          "widths": (680, 760)},
    "100": {"paper": (182, 192, 204), "ink": (70, 78, 92), "accent": (150, 120, 140), "aspect": 2.07,
            "widths": (1100, 1300)},
}
BACKGROUNDS = [(236, 236, 232), (214, 208, 196), (150, 116, 84), (196, 200, 204), (244, 240, 228)]


def _jitter(color, rng, amount=18):
    return tuple(int(numpy.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in color)


def _guilloche(draw, box, color, rng, lines=14):
    """Interlaced sine curves: the fine rosette-like line work of banknotes."""
    left, top, right, bottom = box
    phase, frequency = rng.uniform(0, math.tau), rng.uniform(3, 7)
    xs = numpy.linspace(left, right, 120)
    for k in range(lines):
        amplitude = (bottom - top) * (0.15 + 0.35 * k / lines)
        ys = (top + bottom) / 2 + amplitude * numpy.sin(frequency * (xs - left) / max(right - left, 1) * math.tau
                                                       + phase + k * 0.45)
        draw.line(list(zip(xs.tolist(), ys.tolist())), fill=color, width=1)


def _portrait(draw, cx, cy, size, ink, paper):
    """A head-and-shoulders block: the dark mass portraits make at low resolution."""
    draw.ellipse((cx - 0.9 * size, cy + 0.55 * size, cx + 0.9 * size, cy + 1.9 * size), fill=ink)
    draw.ellipse((cx - 0.48 * size, cy - 0.62 * size, cx + 0.48 * size, cy + 0.62 * size), fill=ink)
    face = tuple(int(0.55 * p + 0.45 * i) for p, i in zip(paper, ink))
    draw.ellipse((cx - 0.3 * size, cy - 0.35 * size, cx + 0.34 * size, cy + 0.55 * size), fill=face)


def _text(draw, xy, text, size, color):
    draw.text(xy, text, fill=color, font=ImageFont.load_default(size=max(8, int(size))))


def draw_note(kind, width, rng):
    """The flat note, ``width`` pixels wide."""
    spec = NOTES[kind]
    height = int(width / spec["aspect"])
    paper, ink, accent = _jitter(spec["paper"], rng), _jitter(spec["ink"], rng, 12), _jitter(spec["accent"], rng)
    note = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(note)
    w, h = width, height
    _guilloche(draw, (0, 0.05 * h, w, 0.95 * h), tuple(int(0.85 * p) for p in paper), rng, lines=10)
    border = max(2, int(0.025 * h))
    draw.rectangle((border, border, w - border, h - border), outline=ink, width=border)
    if kind == "1":
        draw.rectangle((0.05 * w, 0.72 * h, 0.95 * w, 0.9 * h), fill=accent)  # the dark lower band
        _guilloche(draw, (0.05 * w, 0.72 * h, 0.95 * w, 0.9 * h), paper, rng, lines=6)
        for cx in (0.63, 0.75):
            _portrait(draw, cx * w, 0.38 * h, 0.17 * h, ink, paper)
        draw.ellipse((0.06 * w, 0.08 * h, 0.14 * w, 0.26 * h), fill=(200, 40, 40))  # the emblem
        draw.rectangle((0.3 * w, 0.36 * h, 0.45 * w, 0.52 * h), fill=ink)  # the characters
        _text(draw, (0.88 * w, 0.56 * h), "1", 0.3 * h, ink)
        _text(draw, (0.9 * w, 0.08 * h), "1", 0.16 * h, ink)
    else:
        draw.rectangle((0.03 * w, 0.06 * h, 0.2 * w, 0.72 * h), fill=_jitter((236, 236, 228), rng, 8))
        for index, cx in enumerate((0.26, 0.34, 0.42, 0.5)):
            _portrait(draw, cx * w, (0.4 + 0.02 * index) * h, 0.15 * h, ink, paper)
        _text(draw, (0.74 * w, 0.08 * h), "100", 0.26 * h, ink)
        _text(draw, (0.04 * w, 0.7 * h), "100", 0.26 * h, _jitter((95, 100, 110), rng, 8))
        draw.rectangle((0.6 * w, 0.72 * h, 0.85 * w, 0.86 * h), fill=ink)  # the characters
        draw.rectangle((0.62 * w, 0.4 * h, 0.95 * w, 0.66 * h), fill=tuple(int(0.9 * p) for p in paper))
    return note


def photograph(note, kind, rng):
    """Place the note in a photo: background, tilt, scale, light, blur, noise."""
    low, high = NOTES[kind]["widths"]
    width = int(rng.integers(low, high + 1))
    height = int(width / NOTES[kind]["aspect"] * rng.uniform(0.98, 1.06))
    photo = Image.new("RGB", (width, height), _jitter(BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))], rng))
    scale = rng.uniform(0.9, 1.04)
    size = (int(width * scale), int(width * scale / NOTES[kind]["aspect"]))
    placed = note.resize(size, Image.BILINEAR).rotate(rng.uniform(-2.5, 2.5), Image.BILINEAR, expand=True,
                                                      fillcolor=photo.getpixel((0, 0)))
    photo.paste(placed, ((width - placed.width) // 2 + int(rng.integers(-0.03 * width, 0.03 * width + 1)),
                         (height - placed.height) // 2 + int(rng.integers(-0.04 * height, 0.04 * height + 1))))
    pixels = numpy.asarray(photo, dtype=numpy.float32)
    ramp = numpy.linspace(rng.uniform(0.8, 1.05), rng.uniform(0.9, 1.15), width, dtype=numpy.float32)
    pixels *= ramp[None, :, None] if rng.random() < 0.5 else numpy.linspace(ramp[0], ramp[-1], height)[:, None, None]
    pixels *= rng.uniform(0.92, 1.08, size=3).astype(numpy.float32)  # white balance
    pixels += rng.normal(0, rng.uniform(2, 7), size=pixels.shape).astype(numpy.float32)
    photo = Image.fromarray(numpy.clip(pixels, 0, 255).astype(numpy.uint8))
    return photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.6)))


def synthesize_image(kind, seed):
    """JPEG bytes of one synthetic photo of the note ``kind`` ("1" or "100")."""
    rng = numpy.random.Generator(numpy.random.PCG64(seed))
    note = draw_note(kind, int(rng.integers(900, 1100)), rng)
    photo = photograph(note, kind, rng)
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=int(rng.integers(65, 96)))
    return buffer.getvalue()
