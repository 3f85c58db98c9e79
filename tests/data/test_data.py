"""data: DataLoader, samplers, collate, workers, transforms, image folders and the RMB tools."""
import collections
import multiprocessing
import warnings

import numpy
import pytest
from PIL import Image

import minigrad
from data import (BatchSampler, ConcatDataset, DataLoader, Dataset, ImageFolder, RandomSampler, SequentialSampler, Subset, TensorDataset, WeightedRandomSampler, default_collate, get_worker_info, random_split, transform_invert, transforms as T)
from minigrad_app.rmb.dataset import RMBDataset
from minigrad_app.rmb import tools as rmb
from minigrad_app.rmb.loaders import train_transform, valid_transform


class Numbers(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, index):
        return numpy.full(3, index, dtype=numpy.float32), index

    def __len__(self):
        return self.n


class Failing(Numbers):
    def __getitem__(self, index):
        if index == 7:
            raise KeyError("sample 7 is broken")
        return super().__getitem__(index)


class WorkerIds(Numbers):
    def __getitem__(self, index):
        info = get_worker_info()
        return index, -1 if info is None else info.id, float(minigrad.rand(1).item())


@pytest.mark.parametrize("n,batch,drop_last,expected", [(10, 3, False, 4), (10, 3, True, 3), (9, 3, True, 3),
                                                         (2, 5, False, 1), (2, 5, True, 0)])
def test_batch_counts(n, batch, drop_last, expected):
    loader = DataLoader(Numbers(n), batch_size=batch, drop_last=drop_last)
    assert len(loader) == expected == len(list(loader))


def test_every_index_once_per_epoch_new_order_each_epoch_same_for_same_seed():
    minigrad.manual_seed(3)
    loader = DataLoader(Numbers(20), batch_size=4, shuffle=True)
    epochs = [[int(i) for _, labels in loader for i in labels.tolist()] for _ in range(3)]
    assert all(sorted(order) == list(range(20)) for order in epochs)
    assert epochs[0] != epochs[1]
    minigrad.manual_seed(3)
    assert [int(i) for _, labels in loader for i in labels.tolist()] == epochs[0]
    generator = minigrad.Generator().manual_seed(5)
    again = minigrad.Generator().manual_seed(5)
    assert [b[1].tolist() for b in DataLoader(Numbers(10), 3, shuffle=True, generator=generator)] == \
        [b[1].tolist() for b in DataLoader(Numbers(10), 3, shuffle=True, generator=again)]


def test_default_collate_nested_structures():
    Point = collections.namedtuple("Point", "x y")
    batch = [{"image": numpy.ones((2, 2), numpy.float32) * i, "label": i, "score": 0.5 * i, "name": f"s{i}",
              "pair": (minigrad.tensor([i, i]), [i, 2 * i]), "point": Point(i, float(i)), "flag": i % 2 == 0}
             for i in range(3)]
    out = default_collate(batch)
    assert out["image"].shape == (3, 2, 2) and out["image"].dtype == minigrad.float32
    assert out["label"].dtype == minigrad.int64 and out["label"].tolist() == [0, 1, 2]
    assert out["score"].dtype == minigrad.float64 and out["name"] == ["s0", "s1", "s2"]
    assert out["pair"][0].tolist() == [[0, 0], [1, 1], [2, 2]] and out["pair"][1][1].tolist() == [0, 2, 4]
    assert isinstance(out["point"], Point) and out["point"].y.dtype == minigrad.float64
    assert out["flag"].dtype == minigrad.bool
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [1]])


def test_sampler_and_batch_sampler_errors():
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(Numbers(4), sampler=SequentialSampler(Numbers(4)), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(Numbers(4), batch_size=2, batch_sampler=BatchSampler(SequentialSampler(range(4)), 2, False))
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(Numbers(4), num_workers=-1)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(SequentialSampler(range(4)), 0, False)


def test_samplers():
    minigrad.manual_seed(0)
    assert sorted(RandomSampler(range(10))) == list(range(10))
    assert len(list(RandomSampler(range(10), replacement=True, num_samples=25))) == 25
    counts = numpy.bincount(list(WeightedRandomSampler([0.1, 0.0, 0.9], 5000)), minlength=3)
    assert counts[1] == 0 and abs(counts[2] / 5000 - 0.9) < 0.03
    assert sorted(WeightedRandomSampler([1, 1, 1, 1], 4, replacement=False)) == [0, 1, 2, 3]
    loader = DataLoader(Numbers(10), batch_sampler=BatchSampler(SequentialSampler(range(10)), 4, True))
    assert [b[1].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_datasets_and_random_split():
    x, y = minigrad.randn(10, 3), minigrad.arange(10)
    data = TensorDataset(x, y)
    assert len(data) == 10 and data[4][1].item() == 4
    both = ConcatDataset([data, Subset(data, [9, 8])])
    assert len(both) == 12 and both[11][1].item() == 8 and both[-1][1].item() == 8
    minigrad.manual_seed(1)
    parts = random_split(data, [0.7, 0.3])
    indices = parts[0].indices + parts[1].indices
    assert [len(p) for p in parts] == [7, 3] and sorted(indices) == list(range(10))
    minigrad.manual_seed(1)
    assert random_split(data, [7, 3])[0].indices == parts[0].indices
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(data, [5, 6])
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(x, minigrad.arange(3))


def test_worker_loading_equals_single_process_loading():
    single = [(a.numpy(), b.numpy()) for a, b in DataLoader(Numbers(23), batch_size=4)]
    parallel = [(a.numpy(), b.numpy()) for a, b in DataLoader(Numbers(23), batch_size=4, num_workers=2)]
    assert len(single) == len(parallel) == 6
    for (a, b), (c, d) in zip(single, parallel):
        assert numpy.array_equal(a, c) and numpy.array_equal(b, d)


def test_workers_are_seeded_per_worker_and_reproducibly():
    def draws():
        minigrad.manual_seed(4)
        return [(int(i), int(w), float(r)) for batch in DataLoader(WorkerIds(8), batch_size=2, num_workers=2)
                for i, w, r in zip(*[t.tolist() for t in batch])]

    first, second = draws(), draws()
    assert first == second
    assert {w for _, w, _ in first} == {0, 1}
    assert len({r for _, _, r in first}) == 8


def test_worker_errors_propagate_and_workers_shut_down():
    with pytest.raises(KeyError, match=r"(?s)worker process.*sample 7 is broken"):  # the original type, as torch
        list(DataLoader(Failing(12), batch_size=2, num_workers=2))
    assert not multiprocessing.active_children()


def test_breaking_out_early_stops_the_workers():
    for _ in DataLoader(Numbers(50), batch_size=2, num_workers=2):
        break
    assert not multiprocessing.active_children()


def _image(seed=0, size=(40, 30), mode="RGB"):
    array = numpy.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=numpy.uint8)
    img = Image.fromarray(array)
    return img if mode == "RGB" else img.convert(mode)


def test_to_tensor_and_normalize():
    img = _image()
    tensor = T.ToTensor()(img)
    assert tensor.shape == (3, 30, 40) and tensor.dtype == minigrad.float32
    numpy.testing.assert_allclose(tensor.numpy(), numpy.asarray(img).transpose(2, 0, 1) / 255.0, rtol=1e-6)
    floats = numpy.random.default_rng(0).random((5, 6, 3)) * 7
    assert numpy.allclose(T.ToTensor()(floats).numpy(), floats.transpose(2, 0, 1))
    assert T.ToTensor()(img.convert("L")).shape == (1, 30, 40)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    out = T.Normalize(mean, std)(tensor)
    expected = (tensor.numpy() - numpy.array(mean, numpy.float32)[:, None, None]) / numpy.array(std, numpy.float32)[:, None, None]
    numpy.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize([0.5], [0.0])
    with pytest.raises(TypeError, match="PIL Image or ndarray"):
        T.ToTensor()([1, 2, 3])


def test_resize_crops_flips_and_grayscale_against_pil_and_numpy():
    img = _image(1, (50, 40))
    assert numpy.array_equal(numpy.asarray(T.Resize((32, 32))(img)), numpy.asarray(img.resize((32, 32), Image.BILINEAR)))
    assert T.Resize(20)(img).size == (25, 20)
    assert numpy.array_equal(numpy.asarray(T.CenterCrop(10)(img)), numpy.asarray(img)[15:25, 20:30])
    assert numpy.array_equal(numpy.asarray(T.RandomHorizontalFlip(1.0)(img)), numpy.asarray(img)[:, ::-1])
    assert numpy.array_equal(numpy.asarray(T.RandomVerticalFlip(1.0)(img)), numpy.asarray(img)[::-1])
    assert numpy.array_equal(numpy.asarray(T.Grayscale()(img)), numpy.asarray(img.convert("L")))
    gray3 = T.RandomGrayscale(p=1.0)(img)
    assert gray3.mode == "RGB" and numpy.array_equal(numpy.asarray(gray3)[..., 0], numpy.asarray(img.convert("L")))
    assert T.RandomGrayscale(p=0.0)(img) is img


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_random_crop_with_padding_against_numpy_pad(mode):
    img = _image(2, (12, 10))
    minigrad.manual_seed(0)
    cropped = numpy.asarray(T.RandomCrop(12, padding=4, padding_mode=mode, fill=7)(img))
    padded = numpy.pad(numpy.asarray(img), ((4, 4), (4, 4), (0, 0)), mode=mode,
                       **({"constant_values": 7} if mode == "constant" else {}))
    matches = [(top, left) for top in range(7) for left in range(9)
               if numpy.array_equal(padded[top:top + 12, left:left + 12], cropped)]
    assert matches, "the crop is not a window of the padded image"
    assert T.RandomCrop(15, pad_if_needed=True)(img).size == (15, 15)
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop(20)(img)


def test_random_transforms_are_seeded():
    pipeline = T.Compose([T.RandomResizedCrop(16), T.RandomRotation(20), T.ColorJitter(0.4, 0.4, 0.4, 0.1),
                          T.RandomHorizontalFlip(), T.RandomCrop(14, padding=2), T.ToTensor()])
    img = _image(3)
    minigrad.manual_seed(9)
    first = [pipeline(img).numpy() for _ in range(3)]
    minigrad.manual_seed(9)
    assert all(numpy.array_equal(a, pipeline(img).numpy()) for a in first)
    assert not numpy.array_equal(first[0], first[1])


def test_transform_invert_round_trip():
    img = _image(4, (32, 32))
    transform = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    back = transform_invert(transform(img), transform)
    assert back.mode == "RGB" and numpy.abs(numpy.asarray(back).astype(int) - numpy.asarray(img)).max() <= 1
    gray = transform_invert(T.ToTensor()(img.convert("L")), T.ToTensor())
    assert gray.mode == "L"


@pytest.fixture
def image_tree(tmp_path):
    for name, count in (("1", 3), ("100", 2)):
        (tmp_path / name).mkdir()
        for i in range(count):
            suffix = [".jpg", ".PNG", ".JpEg"][i % 3]
            _image(i, (60, 30)).save(tmp_path / name / f"img{i}{suffix}", format="PNG" if suffix == ".PNG" else "JPEG")
    (tmp_path / "100" / "notes.txt").write_text("not an image")
    return tmp_path


def test_image_folder_and_rmb_dataset(image_tree):
    folder = ImageFolder(image_tree, transform=T.Compose([T.Resize((8, 8)), T.ToTensor()]))
    assert folder.classes == ["1", "100"] and folder.class_to_idx == {"1": 0, "100": 1}
    assert len(folder) == 5 and folder.targets == [0, 0, 0, 1, 1]
    image, label = folder[4]
    assert image.shape == (3, 8, 8) and label == 1
    rmb_data = RMBDataset(image_tree, transform=valid_transform())
    assert [label for _, label in rmb_data.samples] == [0, 0, 0, 1, 1] and rmb_data[0][0].shape == (3, 32, 32)


def test_draft_decoding_is_close_to_full_decoding_and_cache_reuses(tmp_path):
    (tmp_path / "1").mkdir()
    big = Image.fromarray(numpy.kron(numpy.random.default_rng(0).integers(0, 256, (30, 60, 3)), numpy.ones(
        (20, 20, 1))).astype(numpy.uint8))
    big.save(tmp_path / "1" / "big.jpg", quality=95)
    transform = T.Compose([T.Resize((32, 32)), T.ToTensor()])
    full = ImageFolder(tmp_path, transform=transform, draft=False)[0][0].numpy()
    draft = ImageFolder(tmp_path, transform=transform, draft=True, cache=True)
    assert numpy.abs(draft[0][0].numpy() - full).mean() < 0.03
    assert len(draft.cache) == 1 and numpy.array_equal(draft[0][0].numpy(), draft[0][0].numpy())


def test_folder_errors(image_tree, tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        ImageFolder(tmp_path / "nowhere")
    empty = tmp_path.parent / f"{tmp_path.name}-empty"  # beside the image tree, not inside it
    (empty / "1").mkdir(parents=True)
    (empty / "100").mkdir()
    with pytest.raises(ValueError, match="no images"):
        RMBDataset(empty)
    (image_tree / "1" / "broken.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    data = ImageFolder(image_tree)
    broken = [i for i, (path, _) in enumerate(data.samples) if path.endswith("broken.jpg")][0]
    with pytest.raises(OSError, match="broken.jpg"):
        data[broken]
    with pytest.warns(UserWarning, match="broken.jpg"):
        skipping = ImageFolder(image_tree, skip_bad=True)
    assert len(skipping) == len(data) - 1


def test_real_photos_load_through_the_tutorial_transforms(rmb_data, tmp_path):
    data = RMBDataset(rmb_data)
    assert len(data) == 200 and data.targets.count(0) == 100 and data.targets.count(1) == 100
    counts = rmb.split_dataset(rmb_data, tmp_path / "split", seed=1)
    assert counts == {"train": {"1": 80, "100": 80}, "valid": {"1": 10, "100": 10}, "test": {"1": 10, "100": 10}}
    for split, transform in (("train", train_transform()), ("valid", valid_transform()), ("test", valid_transform())):
        dataset = RMBDataset(tmp_path / "split" / split, transform=transform)
        for image, label in DataLoader(dataset, batch_size=40):
            assert image.shape[1:] == (3, 32, 32) and image.dtype == minigrad.float32 and label.dtype == minigrad.int64


def test_split_dataset_rules(image_tree, tmp_path):
    out = tmp_path.parent / f"{tmp_path.name}-out"  # beside the source: a split may not live inside it
    counts = rmb.split_dataset(image_tree, out, ratios=(0.5, 0.25, 0.25), seed=2)
    assert counts["train"] == {"1": 1, "100": 1}
    first = sorted(p.name for p in (out / "train" / "1").iterdir())
    with pytest.raises(FileExistsError, match="not empty"):
        rmb.split_dataset(image_tree, out, seed=2)
    rmb.split_dataset(image_tree, out, ratios=(0.5, 0.25, 0.25), seed=2, overwrite=True)
    assert sorted(p.name for p in (out / "train" / "1").iterdir()) == first
    with pytest.raises(FileNotFoundError, match="missing"):
        rmb.split_dataset(tmp_path / "missing", tmp_path / "x")
    with pytest.raises(ValueError, match="ratios"):
        rmb.split_dataset(image_tree, tmp_path / "y", ratios=(0.5, 0.5, 0.5))


def test_synthesize_is_deterministic_and_plausible(tmp_path):
    first = rmb.synthesize(tmp_path / "a", n_per_class=2, seed=3)
    second = rmb.synthesize(tmp_path / "b", n_per_class=3, seed=3)
    other = rmb.synthesize(tmp_path / "c", n_per_class=1, seed=4)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second if p.stem[-1] in "01"]
    assert first[0].read_bytes() != other[0].read_bytes()
    data = RMBDataset(tmp_path / "b")
    assert data.targets.count(0) == 3 and data.targets.count(1) == 3
    for path, _ in data.samples:
        with Image.open(path) as img:
            assert 650 <= img.width <= 1400 and 300 <= img.height <= 700 and img.format == "JPEG"
    with pytest.raises(ValueError, match="n_per_class"):
        rmb.synthesize(tmp_path / "d", n_per_class=0)


def test_synthetic_classes_differ_in_grayscale(tmp_path):
    """A nearest-centroid classifier on small grayscale thumbnails separates the two notes."""
    rmb.synthesize(tmp_path, n_per_class=8, seed=0)
    thumbs = {}
    for kind in ("1", "100"):
        rows = []
        for path in sorted((tmp_path / kind).iterdir()):
            with Image.open(path) as img:
                gray = numpy.asarray(img.convert("L").resize((16, 8)), dtype=float).ravel()
            rows.append((gray - gray.mean()) / gray.std())
        thumbs[kind] = numpy.array(rows)
    centroids = {kind: rows[:5].mean(axis=0) for kind, rows in thumbs.items()}
    correct = sum(min(centroids, key=lambda k: numpy.sum((row - centroids[k]) ** 2)) == kind
                  for kind, rows in thumbs.items() for row in rows[5:])
    assert correct == 6


def test_sample_grid(tmp_path):
    out = rmb.make_sample_grid(tmp_path / "grid.png", n=2)
    with Image.open(out) as img:
        assert img.width > 300 and img.height >= 150  # two rows of notes


def test_get_worker_info_is_none_in_the_main_process():
    assert get_worker_info() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(list(DataLoader(Numbers(3), batch_size=None))) == 3
