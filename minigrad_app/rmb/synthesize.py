"""Photo-like pictures of RMB banknotes, for users without the real photos (and for CI).

A picture is a flat note (``data._note_drawing``) photographed: laid on a procedural surface
(an album page, paper, a table, wood or cloth), seen at a slight angle (rotation and
perspective), lit unevenly, with a soft shadow, sensor noise, blur and JPEG compression, at
the sizes of the tutorial's photos. The scene is composed at a working width of at most
``WORK_WIDTH`` pixels and resized to the photo's size at the end, which keeps one picture
at a few tens of milliseconds. Every choice comes from one seeded numpy Generator, so a seed
gives the same JPEG bytes.
"""
import io

import numpy
from PIL import Image, ImageFilter

from minigrad_app.rmb.drawing import NOTE_SIZES_MM, aspect, draw_note

WORK_WIDTH = 560
HEIGHT_RANGE = (350, 600)  # the real photos are 344-600 pixels high and 689-1353 wide
WIDTH_RANGE = (690, 1350)
BACK_PROBABILITY = 0.15  # the tutorial's photos all show the front
SURFACES = ("album", "album", "paper", "table", "wood", "cloth")


def _smooth_noise(rng, size, cells):
    """Low-frequency noise in [0, 1] of ``size`` (w, h): a small random grid blown up smoothly."""
    grid = rng.random((cells[1], cells[0])).astype(numpy.float32)
    small = Image.fromarray((grid * 255).astype(numpy.uint8))
    return numpy.asarray(small.resize(size, Image.BICUBIC), dtype=numpy.float32) / 255


def _muted(color):
    """``color`` halfway to its grey: photos of notes are taken on plain, dull surfaces."""
    return (numpy.asarray(color) + numpy.mean(color)) / 2


def surface(kind, size, rng):
    """A ``size`` (w, h) float32 RGB array of the background surface ``kind``."""
    width, height = size
    y, x = numpy.mgrid[0:height, 0:width].astype(numpy.float32)
    blotches = _smooth_noise(rng, size, (6, 4))
    if kind == "album":  # the grey-white pages the real notes were photographed on
        base, texture = rng.uniform(180, 235) * numpy.array([0.98, 1.0, 1.0]), 10 * blotches
    elif kind == "paper":
        base, texture = numpy.array(rng.uniform([210, 200, 180], [245, 240, 230])), 14 * blotches
    elif kind == "table":  # a laminate top: flat colour with faint streaks
        base = _muted(rng.uniform([90, 90, 90], [220, 210, 200]))
        texture = 8 * numpy.sin(y / rng.uniform(3, 9) + 3 * blotches) + 10 * blotches
    elif kind == "wood":
        base = numpy.array(rng.uniform([120, 70, 35], [200, 150, 100]))
        rings = numpy.sin((y + 25 * blotches + 3 * numpy.sin(x / rng.uniform(30, 80))) / rng.uniform(2, 5))
        texture = 22 * rings + 18 * blotches
    else:  # cloth: a woven check
        base = _muted(rng.uniform([70, 70, 70], [230, 230, 230]))
        period = rng.uniform(2.5, 5)
        texture = 14 * numpy.sin(x / period) * numpy.sin(y / period) + 12 * blotches
    return base[None, None, :] * numpy.ones((height, width, 1), numpy.float32) + texture[..., None]


def _homography(src, dst):
    """Coefficients for PIL's PERSPECTIVE transform, which maps output points ``dst`` to input ``src``."""
    rows, rhs = [], []
    for (u, v), (x, y) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return numpy.linalg.solve(numpy.array(rows, float), numpy.array(rhs, float)).tolist()


def place(note, size, rng):
    """The note warped into the frame ``size``: RGBA, transparent outside the note."""
    width, height = size
    note_w = width * (rng.uniform(0.98, 1.08) if rng.random() < 0.1 else rng.uniform(0.84, 0.95))
    note_h = note_w * note.height / note.width
    centre = numpy.array([width * (0.5 + rng.uniform(-0.025, 0.025)), height * (0.5 + rng.uniform(-0.03, 0.03))])
    angle = numpy.deg2rad(numpy.clip(rng.normal(0, 1.2), -5, 5))
    rotation = numpy.array([[numpy.cos(angle), -numpy.sin(angle)], [numpy.sin(angle), numpy.cos(angle)]])
    corners = numpy.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [note_w / 2, note_h / 2]
    tilt = rng.normal(0, 0.01 * note_w, size=(4, 2))  # a camera not quite square to the note
    quad = (corners + tilt) @ rotation.T + centre
    coefficients = _homography([(0, 0), (note.width, 0), (note.width, note.height), (0, note.height)], quad.tolist())
    return note.convert("RGBA").transform(size, Image.PERSPECTIVE, coefficients, Image.BILINEAR)


def _shadow(alpha, rng):
    """A soft dark copy of the note's outline, offset toward a random side."""
    offset = rng.uniform(-0.03, 0.03, size=2) * alpha.size
    shifted = alpha.transform(alpha.size, Image.AFFINE, (1, 0, -offset[0], 0, 1, -offset[1]))
    blurred = shifted.filter(ImageFilter.BoxBlur(rng.uniform(3, 10)))
    return numpy.asarray(blurred, dtype=numpy.float32) / 255 * rng.uniform(0.1, 0.45)


def light(pixels, rng):
    """Exposure, white balance, a lighting gradient, haze and sometimes a glare spot."""
    height, width, _ = pixels.shape
    y, x = numpy.ogrid[0:height, 0:width]
    direction = rng.uniform(0, 2 * numpy.pi)
    ramp = ((x / width - 0.5) * numpy.cos(direction) + (y / height - 0.5) * numpy.sin(direction)).astype(numpy.float32)
    gain = rng.uniform(0.62, 1.08) * (1 + rng.uniform(0, 0.45) * ramp)
    pixels = pixels * gain[..., None] * rng.uniform(0.9, 1.1, size=3).astype(numpy.float32)
    haze = rng.uniform(0, 0.15)
    pixels = (1 - haze) * pixels + haze * pixels.mean()
    if rng.random() < 0.25:
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0.1, 0.4) * width
        glare = numpy.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r)).astype(numpy.float32)
        pixels = pixels + rng.uniform(20, 70) * glare[..., None]
    return pixels


def photo_size(kind, rng):
    """(width, height) of the final photo: the note's proportions with a margin, real-photo sizes."""
    height = int(rng.integers(HEIGHT_RANGE[0], HEIGHT_RANGE[1] + 1))
    width = int(numpy.clip(height * aspect(kind) * rng.uniform(0.86, 0.96), *WIDTH_RANGE))
    return width, height


def photograph(kind, side, rng):
    """One synthetic photo of the note ``kind`` as a PIL RGB image."""
    final = photo_size(kind, rng)
    work = (min(WORK_WIDTH, final[0]), int(round(final[1] * min(WORK_WIDTH, final[0]) / final[0])))
    placed = place(draw_note(kind, side, int(work[0] * 0.95), rng), work, rng)
    alpha = placed.getchannel("A")
    background = surface(SURFACES[int(rng.integers(len(SURFACES)))], work, rng)
    background *= (1 - _shadow(alpha, rng))[..., None]
    coverage = numpy.asarray(alpha, dtype=numpy.float32)[..., None] / 255
    note_pixels = numpy.asarray(placed.convert("RGB"), dtype=numpy.float32)
    pixels = light(coverage * note_pixels + (1 - coverage) * background, rng)
    pixels += rng.normal(0, rng.uniform(1, 6), size=pixels.shape[:2]).astype(numpy.float32)[..., None]
    image = Image.fromarray(numpy.clip(pixels, 0, 255).astype(numpy.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.0)))
    return image.resize(final, Image.BILINEAR)


def synthesize_image(kind, seed):
    """JPEG bytes of one synthetic photo of the note ``kind`` ("1" or "100"), fixed by ``seed``
    (an int or a numpy SeedSequence)."""
    if kind not in NOTE_SIZES_MM:
        raise ValueError(f"kind must be one of {sorted(NOTE_SIZES_MM)}, got {kind!r}")
    rng = numpy.random.Generator(numpy.random.PCG64(seed))
    side = "back" if rng.random() < BACK_PROBABILITY else "front"
    image = photograph(kind, side, rng)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=int(rng.integers(60, 96)))
    return buffer.getvalue()
