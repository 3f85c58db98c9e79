"""ImageFolder and RMBDataset: labels, file discovery, error paths, draft decoding and the cache;
and, when the real photos are next to the checkout, the tutorial's data set itself."""
from pathlib import Path

import numpy
import pytest
from PIL import Image

import minigrad
from data import DataLoader, ImageFolder, load_image, transforms
from minigrad_app.rmb.dataset import RMBDataset
from data.folder import first_resize

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def note_like(width=64, height=40, seed=0):
    """A smooth picture with some edges, like a photo (JPEG-friendly, unlike pure noise)."""
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[0:height, 0:width]
    base = numpy.stack([x * 255 / width, y * 255 / height, (x + y) * 127 / (width + height)], axis=-1)
    base[height // 4: height // 2, width // 3: width // 2] = rng.integers(0, 256, 3)
    return Image.fromarray(base.astype(numpy.uint8))


def make_tree(root, layout):
    """``layout``: {class folder: [file names]}; images get the format their extension says."""
    for folder, names in layout.items():
        (root / folder).mkdir(parents=True)
        for i, name in enumerate(names):
            image_format = "PNG" if name.lower().endswith(".png") else "JPEG"
            if name.endswith(".txt"):
                (root / folder / name).write_text("not an image")
            else:
                note_like(seed=i).save(root / folder / name, format=image_format)
    return root


def tutorial_transforms():
    valid = [transforms.Resize((32, 32)), transforms.ToTensor(), transforms.Normalize(MEAN, STD)]
    train = [transforms.Resize((32, 32)), transforms.RandomCrop(32, padding=4), transforms.RandomGrayscale(p=0.8),
             transforms.ToTensor(), transforms.Normalize(MEAN, STD)]
    return {"train": transforms.Compose(train), "valid": transforms.Compose(valid)}


def test_image_folder_labels_sorted_classes_and_mixed_case_extensions(tmp_path):
    root = make_tree(tmp_path, {"dog": ["b.PNG", "a.Jpg", "notes.txt"], "cat": ["z.jpeg", "y.JPEG"], "empty.d": []})
    (tmp_path / "empty.d").rmdir()
    dataset = ImageFolder(root)
    assert dataset.classes == ["cat", "dog"] and dataset.class_to_idx == {"cat": 0, "dog": 1}
    names = [(Path(p).parent.name, Path(p).name) for p, _ in dataset.samples]
    assert names == [("cat", "y.JPEG"), ("cat", "z.jpeg"), ("dog", "a.Jpg"), ("dog", "b.PNG")]
    assert dataset.targets == [0, 0, 1, 1] and dataset.imgs == dataset.samples and len(dataset) == 4
    image, label = dataset[3]
    assert isinstance(image, Image.Image) and image.mode == "RGB" and image.size == (64, 40) and label == 1


def test_image_folder_applies_both_transforms(tmp_path):
    root = make_tree(tmp_path, {"a": ["1.png"], "b": ["2.png"]})
    dataset = ImageFolder(root, transform=transforms.ToTensor(), target_transform=lambda label: label * 10)
    image, label = dataset[1]
    assert image.shape == (3, 40, 64) and label == 10


def test_rmb_dataset_uses_the_tutorial_labels(tmp_path):
    root = make_tree(tmp_path, {"100": ["x.jpg", "y.jpg"], "1": ["a.jpg"], "other": ["q.jpg"]})
    dataset = RMBDataset(root)
    assert dataset.label_name == {"1": 0, "100": 1}
    assert [label for _, label in dataset.data_info] == [0, 1, 1]
    assert {Path(path).parent.name for path, _ in dataset.samples} == {"1", "100"}


def test_missing_and_empty_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        ImageFolder(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="no class folders"):
        ImageFolder(tmp_path)
    make_tree(tmp_path, {"1": ["a.jpg"], "100": ["readme.txt"]})
    with pytest.raises(ValueError, match="100"):
        RMBDataset(tmp_path)
    other = make_tree(tmp_path / "other", {"1": ["a.jpg"]})
    with pytest.raises(FileNotFoundError, match="100"):
        RMBDataset(other)


def test_corrupt_jpeg_raises_naming_the_file(tmp_path):
    make_tree(tmp_path, {"1": ["good.jpg"], "100": ["good.jpg"]})
    (tmp_path / "100" / "x.jpg").write_bytes(b"\xff\xd8 this is not really a JPEG" * 10)
    dataset = RMBDataset(tmp_path)
    dataset[0]
    with pytest.raises(OSError, match="x.jpg"):
        dataset[2]


def test_truncated_jpeg_raises_naming_the_file(tmp_path):
    make_tree(tmp_path, {"1": ["good.jpg"], "100": ["good.jpg"]})
    whole = (tmp_path / "1" / "good.jpg").read_bytes()
    (tmp_path / "1" / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(OSError, match="cut.jpg"):
        RMBDataset(tmp_path)[0]


def test_skip_bad_leaves_unreadable_images_out_with_a_warning(tmp_path):
    make_tree(tmp_path, {"1": ["good.jpg"], "100": ["good.png"]})
    (tmp_path / "100" / "x.jpg").write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="x.jpg"):
        dataset = RMBDataset(tmp_path, skip_bad=True)
    assert len(dataset) == 2 and dataset.targets == [0, 1]
    (tmp_path / "1" / "good.jpg").write_bytes(b"garbage")
    (tmp_path / "100" / "good.png").write_bytes(b"garbage")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="no readable images"):
        RMBDataset(tmp_path, skip_bad=True)


def test_draft_decoding_is_close_to_full_decoding(tmp_path):
    path = tmp_path / "big.jpg"
    note_like(800, 500, seed=3).save(path, quality=90)
    resize = transforms.Resize((32, 32))
    drafted = load_image(path, resize)
    assert drafted.width < 800 and drafted.width >= 64  # reduced, but kept at >= 2x the target
    difference = numpy.abs(numpy.asarray(resize(drafted), dtype=float) -
                           numpy.asarray(resize(load_image(path)), dtype=float))
    assert difference.mean() < 2.0
    assert load_image(path, transforms.Resize(400)).size == (800, 500)  # 2x of 640x400 needs every pixel


def test_draft_only_when_the_pipeline_starts_with_a_resize(tmp_path):
    make_tree(tmp_path, {"1": ["a.jpg"], "100": ["b.jpg"]})
    pipeline = tutorial_transforms()["valid"]
    assert first_resize(transforms.Compose([pipeline, transforms.Lambda(abs)])) is pipeline.transforms[0]
    assert first_resize(transforms.Compose([transforms.ToTensor(), transforms.Resize(3)])) is None
    assert RMBDataset(tmp_path, transform=pipeline).resize is pipeline.transforms[0]
    assert RMBDataset(tmp_path, transform=pipeline, draft=False).resize is None


def test_cache_keeps_decoded_images(tmp_path):
    make_tree(tmp_path, {"1": ["a.jpg"], "100": ["b.jpg"]})
    dataset = RMBDataset(tmp_path, transform=transforms.ToTensor(), cache=True)
    first = dataset[1][0].numpy()
    (tmp_path / "100" / "b.jpg").unlink()  # a second read must come from memory
    numpy.testing.assert_array_equal(dataset[1][0].numpy(), first)


# ---- the real photos -----------------------------------------------------------------------

def test_real_photos_have_the_tutorial_labels(rmb_data):
    dataset = RMBDataset(rmb_data)
    assert len(dataset) == 200
    assert dataset.targets.count(0) == 100 and dataset.targets.count(1) == 100
    assert all(Path(path).parent.name == {0: "1", 1: "100"}[label] for path, label in dataset.samples)


@pytest.mark.parametrize("which", ["train", "valid"])
def test_every_real_photo_loads_through_the_tutorial_transforms(rmb_data, which):
    minigrad.manual_seed(1)
    loader = DataLoader(RMBDataset(rmb_data, transform=tutorial_transforms()[which]), batch_size=50)
    count = 0
    for images, labels in loader:
        assert images.shape[1:] == (3, 32, 32) and images.dtype == minigrad.float32
        assert labels.dtype == minigrad.int64 and set(labels.tolist()) <= {0, 1}
        assert bool(minigrad.isfinite(images).all())
        count += images.shape[0]
    assert count == 200
