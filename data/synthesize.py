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
    # paper colour, dark ink colour, accent (bands, fields), aspect (width / height), photo width range
    "1": {"paper": (212, 164, 154), "ink": (80, 46, 42), "accent": (104, 92, 88), "aspect": 2.0,
          "widths": (680, 760)},
    "100": {"paper": (170, 178, 188), "ink": (56, 60, 70), "accent": (140, 162, 192), "aspect": 2.07,
            "widths": (1100, 1300)},
}
BACKGROUNDS = [(226, 232, 228), (214, 214, 206), (200, 206, 206), (236, 236, 230), (186, 192, 190)]


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
    """A head and shoulders in engraving tones: dark hair, lighter face, mid-tone shoulders."""
    mid = tuple(int(0.55 * p + 0.45 * i) for p, i in zip(paper, ink))
    face = tuple(int(0.75 * p + 0.25 * i) for p, i in zip(paper, ink))
    draw.ellipse((cx - 0.95 * size, cy + 0.6 * size, cx + 0.95 * size, cy + 2.0 * size), fill=mid)
    draw.ellipse((cx - 0.5 * size, cy - 0.7 * size, cx + 0.5 * size, cy + 0.6 * size), fill=ink)
    draw.ellipse((cx - 0.34 * size, cy - 0.3 * size, cx + 0.38 * size, cy + 0.62 * size), fill=face)


def _text(draw, xy, text, size, color):
    draw.text(xy, text, fill=color, font=ImageFont.load_default(size=max(8, int(size))))


def _texture(draw, w, h, color, rng, count=1500):
    """Short random strokes: the busy engraving that makes real notes mid-grey at low resolution."""
    xs, ys = rng.uniform(0, w, count), rng.uniform(0, h, count)
    for x, y, dx, dy in zip(xs, ys, rng.normal(0, 0.04 * w, count), rng.normal(0, 0.08 * h, count)):
        draw.line((x, y, x + dx, y + dy), fill=color, width=max(1, int(0.004 * w)))


def draw_note(kind, width, rng):
    """The flat note, ``width`` pixels wide: the big light and dark blocks of the real note."""
    spec = NOTES[kind]
    height = int(width / spec["aspect"])
    paper, ink, accent = _jitter(spec["paper"], rng, 10), _jitter(spec["ink"], rng, 10), _jitter(spec["accent"], rng, 10)
    note = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(note)
    w, h = width, height
    mid = tuple(int(0.8 * p + 0.2 * i) for p, i in zip(paper, ink))
    engraving = tuple(int(0.55 * p + 0.45 * i) for p, i in zip(paper, ink))
    _guilloche(draw, (0, 0.05 * h, w, 0.95 * h), mid, rng, lines=12)
    _texture(draw, w, h, engraving, rng)
    draw.rectangle((0.01 * w, 0.02 * h, 0.99 * w, 0.98 * h), outline=mid, width=max(2, int(0.012 * h)))
    if kind == "1":
        draw.rectangle((0.04 * w, 0.72 * h, 0.96 * w, 0.88 * h), fill=accent)  # the dark lower band
        _guilloche(draw, (0.04 * w, 0.72 * h, 0.96 * w, 0.88 * h), paper, rng, lines=5)
        for cx, cy in ((0.66, 0.36), (0.82, 0.34)):  # two large portraits on the right
            _portrait(draw, cx * w, cy * h, 0.24 * h, ink, paper)
        draw.ellipse((0.06 * w, 0.08 * h, 0.14 * w, 0.26 * h), fill=(150, 60, 55))  # the emblem
        for left in (0.05, 0.16, 0.22):  # the dark ornamental pillars on the left
            draw.rectangle((left * w, 0.3 * h, (left + 0.035) * w, 0.68 * h), fill=engraving)
        draw.rectangle((0.28 * w, 0.34 * h, 0.44 * w, 0.52 * h), fill=mid)  # the characters' field
        _text(draw, (0.3 * w, 0.33 * h), "1", 0.2 * h, ink)
        _text(draw, (0.9 * w, 0.06 * h), "1", 0.16 * h, ink)
        _text(draw, (0.9 * w, 0.62 * h), "1", 0.2 * h, ink)
    else:
        draw.rectangle((0.02 * w, 0.05 * h, 0.17 * w, 0.74 * h), fill=_jitter((238, 238, 232), rng, 6))
        draw.rectangle((0.62 * w, 0.08 * h, 0.97 * w, 0.72 * h), fill=accent)  # the blue right half
        _guilloche(draw, (0.62 * w, 0.1 * h, 0.97 * w, 0.7 * h), mid, rng, lines=6)
        for index, cx in enumerate((0.27, 0.36, 0.45, 0.54)):  # four portraits left of centre
            _portrait(draw, cx * w, (0.33 + 0.02 * index) * h, 0.19 * h, ink, paper)
        _text(draw, (0.74 * w, 0.08 * h), "100", 0.22 * h, ink)
        draw.rectangle((0.03 * w, 0.76 * h, 0.97 * w, 0.92 * h), fill=tuple(int(0.55 * a) for a in accent))
        _text(draw, (0.04 * w, 0.7 * h), "100", 0.22 * h, _jitter((120, 124, 132), rng, 8))
        draw.ellipse((0.64 * w, 0.72 * h, 0.78 * w, 0.93 * h), fill=ink)  # the seal of the characters
    return note


def photograph(note, kind, rng):
    """Place the note in a photo: background, tilt, scale, light, blur, noise."""
    low, high = NOTES[kind]["widths"]
    width = int(rng.integers(low, high + 1))
    height = int(width / NOTES[kind]["aspect"] * rng.uniform(0.98, 1.06))
    photo = Image.new("RGB", (width, height), _jitter(BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))], rng))
    scale = rng.uniform(0.95, 1.04)
    size = (int(width * scale), int(width * scale / NOTES[kind]["aspect"]))
    placed = note.resize(size, Image.BILINEAR).rotate(rng.uniform(-2.5, 2.5), Image.BILINEAR, expand=True,
                                                      fillcolor=photo.getpixel((0, 0)))
    photo.paste(placed, ((width - placed.width) // 2 + int(rng.integers(-0.03 * width, 0.03 * width + 1)),
                         (height - placed.height) // 2 + int(rng.integers(-0.04 * height, 0.04 * height + 1))))
    pixels = numpy.asarray(photo, dtype=numpy.float32)
    ramp = numpy.linspace(rng.uniform(0.8, 1.05), rng.uniform(0.9, 1.15), width, dtype=numpy.float32)
    pixels *= ramp[None, :, None] if rng.random() < 0.5 else numpy.linspace(ramp[0], ramp[-1], height)[:, None, None]
    pixels *= rng.uniform(0.94, 1.06, size=3).astype(numpy.float32)  # white balance
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
