"""data.rmb: the tutorial's 8:1:1 split, the synthetic note generator and the sample grid."""
from pathlib import Path

import numpy
import pytest
from PIL import Image

from minigrad_app.rmb import tools as rmb
from minigrad_app.rmb.synthesize import HEIGHT_RANGE, WIDTH_RANGE, synthesize_image

REAL_PHOTOS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "rmb" / "RMB_data"
SUFFIXES = (".jpg", ".JPG", ".jpeg", ".png", ".PNG")


@pytest.fixture
def real_photos():
    if not REAL_PHOTOS.is_dir():
        pytest.skip(f"real RMB photos not found at {REAL_PHOTOS}")
    return REAL_PHOTOS


@pytest.fixture
def image_tree(tmp_path):
    """src/1 with 10 tiny images and src/100 with 20, in mixed suffixes, plus files to ignore."""
    src = tmp_path / "src"
    for name, count in (("1", 10), ("100", 20)):
        (src / name).mkdir(parents=True)
        for i in range(count):
            suffix = SUFFIXES[i % len(SUFFIXES)]
            image = Image.new("RGB", (4, 3), (i * 12, 200 - i * 5, 30))
            image.save(src / name / f"img{i:02d}{suffix}", format="PNG" if suffix.lower() == ".png" else "JPEG")
        (src / name / "notes.txt").write_text("not an image")
    (src / "readme.md").write_text("a file next to the class folders")
    return src


def assignment(dst):
    """{file path relative to its split: split} for everything a split wrote."""
    parts = [p.relative_to(dst).parts for p in dst.rglob("*") if p.is_file()]
    return {"/".join(rest): split for split, *rest in parts}


@pytest.mark.parametrize("ratios,expected", [
    ((0.8, 0.1, 0.1), {"1": (8, 1, 1), "100": (16, 2, 2)}),
    ((0.5, 0.25, 0.25), {"1": (5, 2, 3), "100": (10, 5, 5)}),
    ((0.7, 0.2, 0.1), {"1": (7, 2, 1), "100": (14, 4, 2)}),  # 10 * 0.9 is 8.999...: still cut at 9
    ((1, 0, 0), {"1": (10, 0, 0), "100": (20, 0, 0)}),
], ids=["tutorial-8-1-1", "half-quarter-quarter", "float-rounding", "all-train"])
def test_split_counts_per_class(image_tree, tmp_path, ratios, expected):
    counts = rmb.split_dataset(image_tree, tmp_path / "out", ratios=ratios)
    assert counts == {split: {name: expected[name][k] for name in ("1", "100")}
                      for k, split in enumerate(("train", "valid", "test"))}
    for name in ("1", "100"):
        copied = sorted(p.name for p in (tmp_path / "out").glob(f"*/{name}/*"))
        assert copied == sorted(p.name for p in rmb.list_images(image_tree / name))  # each image exactly once


def test_split_copies_the_files_unchanged(image_tree, tmp_path):
    rmb.split_dataset(image_tree, tmp_path / "out")
    for copy in (tmp_path / "out").rglob("img*"):
        assert copy.read_bytes() == (image_tree / copy.parent.name / copy.name).read_bytes()


def test_split_is_deterministic_and_leaves_the_global_random_state_alone(image_tree, tmp_path):
    numpy.random.seed(123)
    before = numpy.random.get_state()[1].copy()
    rmb.split_dataset(image_tree, tmp_path / "a", seed=1)
    assert numpy.array_equal(numpy.random.get_state()[1], before)
    numpy.random.seed(999)  # a different global state must not matter
    rmb.split_dataset(image_tree, tmp_path / "b", seed=1)
    rmb.split_dataset(image_tree, tmp_path / "c", seed=2)
    assert assignment(tmp_path / "a") == assignment(tmp_path / "b")
    assert assignment(tmp_path / "a") != assignment(tmp_path / "c")


def test_split_refuses_a_non_empty_destination_unless_told_to_overwrite(image_tree, tmp_path):
    dst = tmp_path / "out"
    rmb.split_dataset(image_tree, dst, seed=1)
    stale = dst / "train" / "1" / "stale.jpg"
    stale.write_bytes(b"from an older split")
    (dst / "keep.txt").write_text("the user's own file")
    with pytest.raises(FileExistsError, match="out"):
        rmb.split_dataset(image_tree, dst, seed=2)
    counts = rmb.split_dataset(image_tree, dst, seed=2, overwrite=True)
    assert not stale.exists() and (dst / "keep.txt").exists()
    assert sum(len(list((dst / split).rglob("*.*"))) for split in counts) == 30
    empty = tmp_path / "empty"
    empty.mkdir()
    rmb.split_dataset(image_tree, empty)  # an existing but empty folder is fine


@pytest.mark.parametrize("ratios", [(0.8, 0.1, 0.2), (0.9, 0.2, -0.1), (0.5, 0.5), (0.8, 0.1, 0.1, 0.0), ("a", 0, 1)],
                         ids=["sum-above-one", "negative", "two-values", "four-values", "not-numbers"])
def test_split_rejects_bad_ratios(image_tree, tmp_path, ratios):
    with pytest.raises(ValueError, match="ratios"):
        rmb.split_dataset(image_tree, tmp_path / "out", ratios=ratios)


def test_split_errors_name_the_folder(image_tree, tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        rmb.split_dataset(tmp_path / "missing", tmp_path / "out")
    (tmp_path / "flat").mkdir()
    with pytest.raises(ValueError, match="no class folders"):
        rmb.split_dataset(tmp_path / "flat", tmp_path / "out")
    with pytest.raises(ValueError, match="contain"):
        rmb.split_dataset(image_tree, image_tree / "split")


def test_split_of_the_real_photos_is_80_10_10_per_class(real_photos, tmp_path):
    counts = rmb.split_dataset(real_photos, tmp_path / "rmb_split")
    assert counts == {"train": {"1": 80, "100": 80}, "valid": {"1": 10, "100": 10}, "test": {"1": 10, "100": 10}}
    assert len(list((tmp_path / "rmb_split").rglob("*.jpg"))) == 200


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Three synthetic photos per class with seed 0."""
    folder = tmp_path_factory.mktemp("synthetic")
    return folder, rmb.synthesize(folder, n_per_class=3, seed=0)


def test_synthesize_writes_both_classes_at_real_photo_sizes(synthetic):
    folder, paths = synthetic
    assert [p.parent.name for p in paths] == ["1"] * 3 + ["100"] * 3
    assert sorted(p.name for p in rmb.list_images(folder / "100")) == [p.name for p in paths[3:]]
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "JPEG" and image.mode == "RGB"
            assert WIDTH_RANGE[0] <= image.width <= WIDTH_RANGE[1]
            assert HEIGHT_RANGE[0] <= image.height <= HEIGHT_RANGE[1]
            assert 1.5 < image.width / image.height < 2.5


def test_synthesize_is_deterministic_per_image_and_seed(synthetic, tmp_path):
    _, first = synthetic
    fewer = rmb.synthesize(tmp_path / "again", n_per_class=2, seed=0)  # image i does not depend on n_per_class
    assert [p.read_bytes() for p in fewer] == [p.read_bytes() for p in first[:2] + first[3:5]]
    other = rmb.synthesize(tmp_path / "other", n_per_class=2, seed=1)
    assert all(a.read_bytes() != b.read_bytes() for a, b in zip(other, fewer))
    assert len({p.read_bytes() for p in first}) == len(first)


@pytest.mark.parametrize("kwargs,match", [
    ({"n_per_class": 0}, "n_per_class"), ({"n_per_class": -2}, "n_per_class"), ({"n_per_class": 2.5}, "n_per_class"),
    ({"n_per_class": "3"}, "n_per_class"), ({"n_per_class": True}, "n_per_class"), ({"seed": -1}, "seed"),
    ({"seed": 0.5}, "seed"),
], ids=["zero", "negative", "float", "string", "bool", "negative-seed", "float-seed"])
def test_synthesize_rejects_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        rmb.synthesize(tmp_path, **kwargs)
    assert not any(tmp_path.rglob("*.jpg"))


def test_synthesize_stops_between_photos_when_asked(tmp_path):
    asked = []
    with pytest.raises(KeyboardInterrupt):
        rmb.synthesize(tmp_path, n_per_class=3, should_stop=lambda: asked.append(1) or len(asked) == 2)
    assert sorted(path.name for path in (tmp_path / "1").iterdir()) == ["synth_1_0000.jpg", "synth_1_0001.jpg"]


def test_synthesize_image_rejects_an_unknown_note():
    with pytest.raises(ValueError, match="'5'"):
        synthesize_image("5", 0)


def gray_thumbnails(paths):
    """The middle of each photo (mostly note, little surface) as a 16x8 grayscale thumbnail,
    standardised: the layout without colour or exposure."""
    rows = []
    for path in paths:
        with Image.open(path) as image:
            image.draft("L", (64, 32))
            width, height = image.size
            middle = image.convert("L").crop((width // 10, height // 10, width - width // 10, height - height // 10))
            pixels = numpy.asarray(middle.resize((16, 8), Image.BILINEAR), dtype=numpy.float64)
        rows.append(((pixels - pixels.mean()) / (pixels.std() + 1e-9)).ravel())
    return numpy.array(rows)


def nearest_centroid_accuracy(train, test):
    """Per-class accuracy of nearest-centroid classification: {class: fraction right}."""
    centroids = numpy.stack([gray_thumbnails(train[kind]).mean(0) for kind in rmb.KINDS])
    accuracy = {}
    for label, kind in enumerate(rmb.KINDS):
        features = gray_thumbnails(test[kind])
        distances = ((features[:, None, :] - centroids[None]) ** 2).sum(-1)
        accuracy[kind] = float((distances.argmin(1) == label).mean())
    return accuracy


@pytest.fixture(scope="module")
def synthetic_for_centroids(tmp_path_factory):
    folder = tmp_path_factory.mktemp("centroids")
    rmb.synthesize(folder, n_per_class=6, seed=5)
    return {kind: rmb.list_images(folder / kind) for kind in rmb.KINDS}


def test_synthetic_classes_differ_in_grayscale_layout(synthetic, synthetic_for_centroids):
    folder, _ = synthetic
    held_out = {kind: rmb.list_images(folder / kind) for kind in rmb.KINDS}
    assert nearest_centroid_accuracy(synthetic_for_centroids, held_out) == {"1": 1.0, "100": 1.0}


def test_grayscale_layout_of_synthetic_notes_matches_the_real_photos(real_photos, synthetic_for_centroids):
    real = {kind: rmb.list_images(real_photos / kind) for kind in rmb.KINDS}
    accuracy = nearest_centroid_accuracy(synthetic_for_centroids, real)
    assert min(accuracy.values()) >= 0.9, accuracy


def test_sample_grid_is_a_small_png_with_a_row_per_source(synthetic, tmp_path):
    folder, _ = synthetic
    real = REAL_PHOTOS if REAL_PHOTOS.is_dir() else None
    out = rmb.make_sample_grid(tmp_path / "docs" / "grid.png", real_dir=real, synth_dir=folder, n=2)
    with Image.open(out) as grid:
        assert grid.format == "PNG" and grid.height == (4 if real else 2) * 88
    assert out.stat().st_size < 300_000
    drawn = rmb.make_sample_grid(tmp_path / "drawn.png", n=1, seed=3)  # no folders: draws its own notes
    with Image.open(drawn) as grid:
        assert grid.height == 2 * 88
    with pytest.raises(ValueError, match="n"):
        rmb.make_sample_grid(tmp_path / "bad.png", n=0)
