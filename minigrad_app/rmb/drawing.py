"""The flat faces of the two banknotes in the tutorial's photos, drawn with Pillow.

The photos show the fourth-series notes: the 1980 1-yuan note (140 x 63 mm, pink-brown, two
portraits on the right, a dark band along the lower left) and the 1990 100-yuan note
(165 x 77 mm, blue-grey, a pale watermark field on the left, four portraits left of centre,
"100" top right, a dark band with a dark seal along the bottom). A LeNet sees them at 32x32,
where only colour, proportions and the big light and dark blocks survive, so those blocks are
drawn where the real ones are; finer line work only makes the pictures look like notes.
Coordinates are fractions of the note's width and height.
"""
import functools
import math

import numpy
from PIL import Image, ImageDraw, ImageFont

NOTE_SIZES_MM = {"1": (140, 63), "100": (165, 77)}

# Reference colours, measured on the photos (lighting is added later, so these are a bit brighter).
PALETTES = {
    "1": {"paper": (228, 170, 156), "tint": (212, 204, 150), "ink": (84, 44, 40), "mid": (150, 96, 88),
          "band": (96, 58, 52), "face": (176, 122, 110), "emblem": (150, 44, 40)},
    "100": {"paper": (196, 194, 214), "tint": (125, 145, 178), "ink": (48, 56, 64), "mid": (112, 118, 108),
            "band": (56, 62, 64), "face": (172, 170, 150), "field": (240, 234, 214)},
}


def aspect(kind):
    """Width over height of the note ``kind``."""
    width, height = NOTE_SIZES_MM[kind]
    return width / height


@functools.lru_cache(maxsize=64)
def _font(size):
    return ImageFont.load_default(size=max(6, int(size)))


def _mix(a, b, t):
    return tuple(int(round((1 - t) * x + t * y)) for x, y in zip(a, b))


class Canvas:
    """ImageDraw in note-fraction coordinates."""

    def __init__(self, image):
        self.draw = ImageDraw.Draw(image)
        self.w, self.h = image.size

    def box(self, x0, y0, x1, y1):
        return (x0 * self.w, y0 * self.h, x1 * self.w, y1 * self.h)

    def rect(self, x0, y0, x1, y1, fill=None, outline=None, width=1):
        self.draw.rectangle(self.box(x0, y0, x1, y1), fill=fill, outline=outline, width=width)

    def ellipse(self, x0, y0, x1, y1, fill):
        self.draw.ellipse(self.box(x0, y0, x1, y1), fill=fill)

    def polygon(self, points, fill):
        self.draw.polygon([(x * self.w, y * self.h) for x, y in points], fill=fill)

    def text(self, x, y, text, height, fill, anchor="lt", bold=0.0):
        """``text`` with its cap height about ``height`` (a fraction of the note height)."""
        size = 1.35 * height * self.h
        self.draw.text((x * self.w, y * self.h), text, fill=fill, font=_font(size), anchor=anchor,
                       stroke_width=int(bold * size), stroke_fill=fill)

    def guilloche(self, x0, y0, x1, y1, color, rng, lines=8, width=1):
        """Interlaced sine curves: the rosette-like line work of banknotes."""
        xs = numpy.linspace(x0 * self.w, x1 * self.w, 90)
        turns, phase = rng.uniform(2, 6), rng.uniform(0, math.tau)
        centre, half = (y0 + y1) / 2 * self.h, (y1 - y0) / 2 * self.h
        for k in range(lines):
            amplitude = half * (0.25 + 0.75 * (k + 1) / lines)
            ys = centre + amplitude * numpy.sin(numpy.linspace(0, turns * math.tau, 90) + phase + k * 0.7)
            self.draw.line(list(zip(xs.tolist(), ys.tolist())), fill=color, width=width)

    def rosette(self, cx, cy, radius, color, rng, petals=None):
        """A rose curve: the round ornaments printed next to the numerals."""
        petals = petals or int(rng.integers(5, 9))
        t = numpy.linspace(0, math.tau, 160)
        r = radius * (0.55 + 0.45 * numpy.abs(numpy.cos(petals * t / 2)))
        points = list(zip((cx * self.w + r * self.h * numpy.cos(t)).tolist(),
                          (cy * self.h + r * self.h * numpy.sin(t)).tolist()))
        self.draw.line(points, fill=color, width=max(1, int(0.006 * self.h)))

    def glyphs(self, x, y, size, count, color, rng, gap=0.25):
        """``count`` character-like blocks of strokes (the Chinese legends), ``size`` tall."""
        stroke = max(1, int((0.1 + 0.8 * size) * size * self.h))  # big characters have heavy strokes
        step_x = size * (1 + gap) * self.h / self.w
        for index in range(count):
            left, top = (x + index * step_x) * self.w, y * self.h
            side = size * self.h
            for _ in range(int(rng.integers(4, 7))):
                if rng.random() < 0.5:
                    yy = top + rng.uniform(0.1, 0.9) * side
                    self.draw.line((left + rng.uniform(0, 0.3) * side, yy, left + rng.uniform(0.7, 1) * side, yy),
                                   fill=color, width=stroke)
                else:
                    xx = left + rng.uniform(0.1, 0.9) * side
                    self.draw.line((xx, top + rng.uniform(0, 0.3) * side, xx, top + rng.uniform(0.7, 1) * side),
                                   fill=color, width=stroke)

    def serial(self, x, y, height, color, rng):
        letters = "".join(chr(int(c)) for c in rng.integers(65, 91, 2))
        digits = "".join(str(int(d)) for d in rng.integers(0, 10, 8))
        self.text(x, y, letters + digits, height, color)


def scatter(canvas, region, count, colors, size, rng):
    """``count`` small blobs and rosettes in ``region``: the busy floral engraving of a note,
    which makes it mottled rather than flat at low resolution."""
    x0, y0, x1, y1 = region
    for _ in range(count):
        cx, cy, radius = rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(0.4, 1.0) * size
        color = colors[int(rng.integers(len(colors)))]
        if rng.random() < 0.5:
            r = radius * canvas.h / canvas.w
            canvas.ellipse(cx - r, cy - radius, cx + r, cy + radius, color)
        else:
            canvas.rosette(cx, cy, radius, color, rng)


def man_head(canvas, cx, cy, size, p):
    """A man's head in profile facing left (the 100-yuan portraits): light face, shaded back of
    the head, dark shadow behind, a light collar below. ``size`` is half the head's height."""
    s, r = size, 0.75 * size * canvas.h / canvas.w  # heads are taller than wide
    dark, shade = _mix(p["ink"], p["mid"], 0.1), _mix(p["mid"], p["ink"], 0.2)
    canvas.polygon([(cx - 0.6 * r, cy + 0.75 * s), (cx + 1.2 * r, cy + 0.5 * s), (cx + 1.5 * r, cy + 1.7 * s),
                    (cx - 1.3 * r, cy + 1.9 * s)], dark)  # the suit
    canvas.polygon([(cx - 0.4 * r, cy + 0.8 * s), (cx + 0.9 * r, cy + 0.65 * s), (cx + 0.3 * r, cy + 1.45 * s),
                    (cx - 1.0 * r, cy + 1.6 * s)], _mix(p["face"], shade, 0.3))  # the collar
    canvas.ellipse(cx - 0.9 * r, cy - 1.0 * s, cx + 1.25 * r, cy + 0.95 * s, dark)
    canvas.ellipse(cx - 0.9 * r, cy - 0.95 * s, cx + 1.0 * r, cy + 0.85 * s, shade)
    canvas.ellipse(cx - 0.9 * r, cy - 0.7 * s, cx + 0.4 * r, cy + 0.92 * s, p["face"])
    canvas.polygon([(cx - 0.85 * r, cy - 0.05 * s), (cx - 1.1 * r, cy + 0.25 * s), (cx - 0.83 * r, cy + 0.3 * s)],
                   p["face"])
    canvas.ellipse(cx + 0.35 * r, cy - 0.05 * s, cx + 0.6 * r, cy + 0.3 * s, _mix(shade, dark, 0.5))  # the ear


def woman_head(canvas, cx, cy, size, hair, p, reach):
    """A woman's head in profile facing left (the 1-yuan portraits); ``reach`` is how far the
    hair (or headdress) falls behind the face."""
    s, r = size, size * canvas.h / canvas.w
    canvas.ellipse(cx - 1.2 * r, cy + 0.9 * s, cx + 1.4 * r, cy + 1.7 * s, _mix(p["mid"], p["paper"], 0.4))  # shoulders
    canvas.rect(cx - 0.2 * r, cy + 0.3 * s, cx + 0.45 * r, cy + 1.15 * s, _mix(p["face"], p["mid"], 0.4))
    canvas.ellipse(cx - 0.4 * r, cy - 1.05 * s, cx + (0.4 + reach) * r, cy + (0.35 + 0.5 * reach) * s, hair)
    canvas.ellipse(cx - 0.75 * r, cy - 0.6 * s, cx + 0.3 * r, cy + 0.85 * s, p["face"])
    canvas.polygon([(cx - 0.7 * r, cy - 0.05 * s), (cx - 0.92 * r, cy + 0.2 * s), (cx - 0.68 * r, cy + 0.3 * s)],
                   p["face"])


def one_yuan_front(canvas, p, rng):
    canvas.ellipse(0.2, 0.15, 0.56, 0.78, _mix(p["paper"], p["tint"], 0.6))  # the floral centre
    canvas.guilloche(0.0, 0.05, 1.0, 0.95, p["mid"], rng, lines=5)
    scatter(canvas, (0.2, 0.18, 0.54, 0.72), 40, [p["tint"], (110, 150, 170), (120, 150, 100), p["mid"]], 0.07, rng)
    canvas.rect(0.87, 0.05, 0.98, 0.72, fill=_mix(p["paper"], p["ink"], 0.5))  # the dark right edge
    scatter(canvas, (0.87, 0.15, 0.98, 0.7), 8, [p["ink"], p["mid"]], 0.06, rng)
    canvas.ellipse(0.06, 0.07, 0.17, 0.32, p["emblem"])
    canvas.ellipse(0.085, 0.12, 0.145, 0.26, _mix(p["emblem"], (220, 190, 80), 0.5))
    canvas.glyphs(0.19, 0.07, 0.08, 6, p["ink"], rng, gap=0.9)  # the bank's name
    canvas.rect(0.245, 0.36, 0.47, 0.56, fill=_mix(p["paper"], p["tint"], 0.5))
    canvas.glyphs(0.25, 0.37, 0.17, 2, p["ink"], rng, gap=0.35)  # the big "one yuan" characters
    canvas.ellipse(0.09, 0.44, 0.15, 0.6, (140, 110, 170))  # the flower on the left
    canvas.rect(0.115, 0.58, 0.125, 0.7, fill=(90, 120, 90))
    # two women in profile: a lighter headdress left, a large dark hair mass right
    woman_head(canvas, 0.61, 0.38, 0.26, _mix(p["mid"], p["paper"], 0.35), p, reach=0.5)
    woman_head(canvas, 0.7, 0.4, 0.3, p["ink"], p, reach=1.2)
    canvas.rect(0.04, 0.74, 0.53, 0.87, fill=p["band"])  # the dark lower band
    canvas.guilloche(0.12, 0.76, 0.5, 0.85, _mix(p["band"], p["paper"], 0.35), rng, lines=3)
    canvas.text(0.06, 0.755, "1", 0.1, _mix(p["paper"], p["band"], 0.2), bold=0.05)
    canvas.polygon([(0.8, 0.81), (0.84, 0.72), (0.93, 0.72), (0.97, 0.81), (0.93, 0.9), (0.84, 0.9)], p["band"])
    canvas.text(0.885, 0.81, "1", 0.11, _mix(p["paper"], p["band"], 0.2), anchor="mm", bold=0.05)
    canvas.text(0.925, 0.14, "1", 0.12, p["ink"], anchor="mm", bold=0.08)
    canvas.serial(0.55, 0.8, 0.06, _mix(p["ink"], (30, 50, 50), 0.5), rng)


def one_yuan_back(canvas, p, rng):
    canvas.guilloche(0.0, 0.05, 1.0, 0.95, p["mid"], rng, lines=6)
    canvas.rect(0.2, 0.18, 0.8, 0.78, fill=_mix(p["paper"], p["tint"], 0.6))
    ridge = [(0.2 + 0.6 * t, 0.45 + 0.12 * math.sin(9 * t + 1)) for t in numpy.linspace(0, 1, 14)]
    canvas.polygon(ridge + [(0.8, 0.78), (0.2, 0.78)], p["mid"])  # the mountains
    for x, y in ridge[1:-1]:  # the crenellated wall along the ridge
        canvas.rect(x, y - 0.08, x + 0.025, y, fill=p["ink"])
    canvas.rect(0.02, 0.82, 0.98, 0.92, fill=p["band"])
    canvas.text(0.1, 0.25, "1", 0.3, p["ink"], anchor="mm", bold=0.06)
    canvas.text(0.9, 0.6, "1", 0.3, p["ink"], anchor="mm", bold=0.06)
    canvas.glyphs(0.3, 0.06, 0.07, 6, p["ink"], rng, gap=0.8)


def hundred_yuan_front(canvas, p, rng):
    canvas.rect(0.74, 0.04, 0.99, 0.78, fill=p["tint"])  # the blue right field
    canvas.guilloche(0.0, 0.05, 1.0, 0.95, _mix(p["paper"], p["ink"], 0.3), rng, lines=5)
    scatter(canvas, (0.23, 0.12, 0.75, 0.75), 30, [(200, 150, 120), (150, 130, 180), p["tint"]], 0.06, rng)
    scatter(canvas, (0.8, 0.32, 0.93, 0.52), 6, [p["ink"], _mix(p["ink"], p["tint"], 0.4)], 0.07, rng)
    canvas.rect(0.03, 0.1, 0.22, 0.76, fill=p["field"])  # the watermark field
    canvas.glyphs(0.05, 0.07, 0.07, 6, p["ink"], rng, gap=0.9)  # the bank's name
    for index, cx in enumerate((0.33, 0.42, 0.51, 0.62)):  # four heads, each in front of the one on its left
        man_head(canvas, cx, 0.36 - 0.01 * index, 0.24 if index < 3 else 0.27, p)
    canvas.text(0.865, 0.2, "100", 0.16, p["ink"], anchor="mm", bold=0.08)
    canvas.serial(0.8, 0.56, 0.06, p["ink"], rng)
    canvas.rect(0.03, 0.77, 0.97, 0.88, fill=p["band"])  # the dark bottom band
    canvas.ellipse(0.57, 0.64, 0.87, 0.93, p["band"])  # the seal with the characters
    canvas.glyphs(0.625, 0.72, 0.12, 3, _mix(p["paper"], p["band"], 0.15), rng, gap=0.3)
    canvas.text(0.05, 0.83, "100", 0.13, _mix(p["mid"], p["field"], 0.3), anchor="ls", bold=0.05)


def hundred_yuan_back(canvas, p, rng):
    canvas.rect(0.79, 0.08, 0.98, 0.76, fill=p["field"])  # the watermark shows on the right
    canvas.guilloche(0.0, 0.05, 0.78, 0.95, _mix(p["paper"], p["ink"], 0.3), rng, lines=6)
    peaks = [(0.2 + 0.55 * t, 0.62 - 0.35 * abs(math.sin(5 * t + 0.4))) for t in numpy.linspace(0, 1, 16)]
    canvas.polygon([(0.2, 0.78)] + peaks + [(0.75, 0.78)], p["mid"])  # the mountain peaks
    canvas.rect(0.02, 0.8, 0.98, 0.9, fill=p["band"])
    canvas.text(0.1, 0.22, "100", 0.2, p["ink"], anchor="mm", bold=0.08)
    canvas.text(0.88, 0.85, "100", 0.12, p["field"], anchor="mm", bold=0.05)
    canvas.glyphs(0.3, 0.07, 0.07, 6, p["ink"], rng, gap=0.8)


FACES = {("1", "front"): one_yuan_front, ("1", "back"): one_yuan_back,
         ("100", "front"): hundred_yuan_front, ("100", "back"): hundred_yuan_back}


def _jitter(color, rng, amount):
    return tuple(int(numpy.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in color)


def draw_note(kind, side, width, rng):
    """The flat note ``kind`` ("1" or "100"), ``side`` "front" or "back", ``width`` pixels wide,
    as an RGB image with a fine engraved texture."""
    palette = {name: _jitter(color, rng, 10) for name, color in PALETTES[kind].items()}
    height = int(round(width / aspect(kind)))
    image = Image.new("RGB", (width, height), palette["paper"])
    canvas = Canvas(image)
    FACES[kind, side](canvas, palette, rng)
    canvas.rect(0.012, 0.025, 0.988, 0.975, outline=_mix(palette["paper"], palette["ink"], 0.5),
                width=max(1, int(0.012 * height)))
    return _engrave(image, rng)


def _engrave(image, rng):
    """Darken along fine wavy lines, the way intaglio printing looks up close, and mottle the
    note with ornament-sized specks of random strength: real notes are busy at every scale,
    and how busy must not tell the two notes apart."""
    width, height = image.size
    y, x = numpy.ogrid[0:height, 0:width]
    period = rng.uniform(3.0, 5.0)
    waves = numpy.sin((x + 6 * numpy.sin(y / rng.uniform(9, 20))) * (math.tau / period)).astype(numpy.float32)
    cell = rng.uniform(4, 10)
    specks = rng.random((max(2, int(height / cell)), max(2, int(width / cell)))).astype(numpy.float32)
    specks = numpy.asarray(Image.fromarray(specks).resize((width, height), Image.BICUBIC))
    shade = (1 - rng.uniform(0.04, 0.1) * (1 + waves)) * (1 + rng.uniform(0.1, 0.55) * (0.5 - specks))
    pixels = numpy.asarray(image, dtype=numpy.float32) * shade[..., None]
    return Image.fromarray(numpy.clip(pixels, 0, 255).astype(numpy.uint8))
