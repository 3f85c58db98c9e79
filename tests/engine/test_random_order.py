"""Everything that draws does so in PyTorch's order: after the same seed, layers start from
PyTorch's parameters, nn.init and dropout give PyTorch's values, the DataLoader shuffles as
PyTorch's does (its seed draws included), random_split and the samplers pick PyTorch's indices,
worker seeds are PyTorch's, and a seeded LeNet run reproduces PyTorch's losses.

After each check the two generators must still agree (the next ``randn`` is compared too).
PyTorch's draws are asked through tests/oracle.py: live, or stored as sha256 digests.
"""
import math

import numpy
import pytest

import data
import minigrad
import nn
import optim
from nn_cases import state_arrays, torch_lenet
from oracle import assert_identical, reference


def pytorchs(seed, observe):
    """What ``observe(torch)`` sees after ``torch.manual_seed(seed)``, and the next ``randn(17)``
    after it (arrays as digests: only bit-for-bit equality is asked)."""
    def ask(torch):
        torch.manual_seed(seed)
        seen = observe(torch)
        return {"seen": seen, "next": torch.randn(17)}
    return reference(ask, digest=True)


def _assert_streams_agree(expected):
    assert_identical(minigrad.randn(17).numpy(), expected["next"], "the next randn")


LAYERS = {
    "linear": lambda lib: lib.nn.Linear(20, 7),
    "linear_no_bias": lambda lib: lib.nn.Linear(5, 3, bias=False),
    "conv2d": lambda lib: lib.nn.Conv2d(3, 6, 5),
    "conv2d_padded": lambda lib: lib.nn.Conv2d(4, 2, 3, stride=2, padding=1),
    "embedding": lambda lib: lib.nn.Embedding(10, 4),
    "embedding_padding_idx": lambda lib: lib.nn.Embedding(10, 4, padding_idx=2),
    "batchnorm2d": lambda lib: lib.nn.BatchNorm2d(3),
    "batchnorm1d": lambda lib: lib.nn.BatchNorm1d(5),
    "sequential": lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 2)),
    "lenet": lambda lib: nn.models.LeNet(2) if lib is minigrad else torch_lenet(lib, 2),
}


class _Minigrad:
    """``minigrad`` with ``nn`` attached, so one lambda builds layers in both libraries."""
    nn = nn


@pytest.mark.parametrize("seed", [0, 1, 42, 2 ** 33 + 1])
@pytest.mark.parametrize("layer", list(LAYERS), ids=list(LAYERS))
def test_layers_start_from_pytorchs_parameters(layer, seed):
    expected = pytorchs(seed, lambda torch: state_arrays(LAYERS[layer](torch)))
    minigrad.manual_seed(seed)
    mine = state_arrays(LAYERS[layer](_Minigrad if layer != "lenet" else minigrad))
    assert list(mine) == list(expected["seen"])
    for key in mine:
        assert_identical(mine[key], expected["seen"][key], key)
    _assert_streams_agree(expected)


INITS = {
    "uniform_": lambda init, t: init.uniform_(t, -0.2, 0.7),
    "normal_": lambda init, t: init.normal_(t, 0.1, 0.02),
    "xavier_uniform_": lambda init, t: init.xavier_uniform_(t, gain=init.calculate_gain("tanh")),
    "xavier_normal_": lambda init, t: init.xavier_normal_(t),
    "kaiming_uniform_": lambda init, t: init.kaiming_uniform_(t, a=math.sqrt(5)),
    "kaiming_normal_": lambda init, t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
    "trunc_normal_": lambda init, t: init.trunc_normal_(t),
    "trunc_normal_small_std": lambda init, t: init.trunc_normal_(t, std=0.02),
    "trunc_normal_tail": lambda init, t: init.trunc_normal_(t, mean=0.0, std=1.0, a=1.5, b=3.0),
}


INIT_CASES = [pytest.param(name, shape, id=f"{name}-{'x'.join(map(str, shape))}") for name in INITS
              for shape in [(3,), (16, 9), (8, 3, 5, 5), (300, 40)]
              if len(shape) > 1 or not name.startswith(("xavier", "kaiming"))]  # fans need two dimensions


@pytest.mark.parametrize("name, shape", INIT_CASES)
def test_init_functions_give_pytorchs_values(name, shape):
    expected = pytorchs(3, lambda torch: INITS[name](torch.nn.init, torch.zeros(*shape)))
    minigrad.manual_seed(3)
    assert_identical(INITS[name](nn.init, minigrad.zeros(*shape)).numpy(), expected["seen"])
    _assert_streams_agree(expected)


@pytest.mark.parametrize("p", [0.1, 0.37, 0.5, 0.9, 1.0, 0.0])
@pytest.mark.parametrize("form", ["functional", "module", "transposed"])
def test_dropout_masks_match_pytorch(form, p):
    def dropped(lib, modules):
        x = lib.randn(6, 20)
        if form == "functional":
            return x, modules.functional.dropout(x, p)
        if form == "module":
            return x, modules.Dropout(p)(x)
        return x, modules.functional.dropout(x.t(), p)

    expected = pytorchs(8, lambda torch: dropped(torch, torch.nn)[1])
    minigrad.manual_seed(8)
    x, ours = dropped(minigrad, nn)
    assert_identical(ours.numpy(), expected["seen"])
    evaluation = nn.Dropout(p).eval()
    assert evaluation(x) is x
    _assert_streams_agree(expected)


class Indices(data.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


def _epochs(loader, count):
    return [[batch.tolist() for batch in loader] for _ in range(count)]


LOADERS = {
    "shuffle": dict(batch_size=5, shuffle=True),
    "shuffle_drop_last": dict(batch_size=4, shuffle=True, drop_last=True),
    "shuffle_one_by_one": dict(batch_size=1, shuffle=True),
    "sequential": dict(batch_size=6),
}


@pytest.mark.parametrize("explicit", [False, True], ids=["default_generator", "explicit_generator"])
@pytest.mark.parametrize("options", list(LOADERS), ids=list(LOADERS))
def test_dataloader_order_over_epochs_matches_pytorch(options, explicit):
    kwargs = LOADERS[options]
    expected = pytorchs(6, lambda torch: _epochs(torch.utils.data.DataLoader(
        range(23), generator=torch.Generator().manual_seed(2) if explicit else None, **kwargs), 4))
    minigrad.manual_seed(6)
    ours = data.DataLoader(Indices(23), generator=minigrad.Generator().manual_seed(2) if explicit else None, **kwargs)
    assert _epochs(ours, 4) == expected["seen"]
    _assert_streams_agree(expected)


@pytest.mark.parametrize("replacement, num_samples", [(False, 50), (True, 70), (True, 64), (False, 23)],
                         ids=["chained_permutations", "replacement", "replacement_chunks", "one_permutation"])
def test_random_sampler_matches_pytorch(replacement, num_samples):
    expected = pytorchs(12, lambda torch: (lambda sampler: [list(sampler) for _ in range(2)])(
        torch.utils.data.RandomSampler(range(23), replacement=replacement, num_samples=num_samples)))
    minigrad.manual_seed(12)
    ours = data.RandomSampler(Indices(23), replacement=replacement, num_samples=num_samples)
    assert [list(ours) for _ in range(2)] == expected["seen"]
    _assert_streams_agree(expected)


SAMPLERS = {
    "subset_random": lambda lib, u: u.SubsetRandomSampler([3, 9, 4, 17, 12, 8]),
    "weighted_replacement": lambda lib, u: u.WeightedRandomSampler([0.1, 0.5, 2.0, 0.0, 1.0], 12),
    "weighted_no_replacement": lambda lib, u: u.WeightedRandomSampler([0.1, 0.5, 2.0, 0.0, 1.0], 4,
                                                                      replacement=False),
}


@pytest.mark.parametrize("name", list(SAMPLERS), ids=list(SAMPLERS))
def test_other_random_samplers_match_pytorch(name):
    expected = pytorchs(14, lambda torch: (lambda sampler: [list(sampler) for _ in range(3)])(
        SAMPLERS[name](torch, torch.utils.data)))
    minigrad.manual_seed(14)
    ours = SAMPLERS[name](minigrad, data)
    assert [list(ours) for _ in range(3)] == expected["seen"]
    _assert_streams_agree(expected)


@pytest.mark.parametrize("lengths", [[10, 13], [0.3, 0.7], [0.25, 0.25, 0.5], [23]], ids=["counts", "fractions",
                                                                                          "three", "whole"])
@pytest.mark.parametrize("explicit", [False, True], ids=["default_generator", "explicit_generator"])
def test_random_split_matches_pytorch(lengths, explicit):
    expected = pytorchs(4, lambda torch: [subset.indices for subset in torch.utils.data.random_split(
        range(23), lengths, *([torch.Generator().manual_seed(9)] if explicit else []))])
    minigrad.manual_seed(4)
    ours = data.random_split(Indices(23), lengths, *([minigrad.Generator().manual_seed(9)] if explicit else []))
    assert [subset.indices for subset in ours] == expected["seen"]
    _assert_streams_agree(expected)


class DrawInWorker(data.Dataset):
    """Each item draws one uniform from the worker's default generator and reports its seed."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return minigrad.rand(1).item(), data.get_worker_info().seed


def test_worker_seeds_and_draws_match_pytorchs_recipe():
    def recipe(torch):
        base_seed = torch.empty((), dtype=torch.int64).random_().item()
        draws, per_worker = [], {}
        for index in range(6):  # batches go to the workers round-robin
            worker = index % 2
            if worker not in per_worker:
                per_worker[worker] = torch.Generator().manual_seed(base_seed + worker)
            draws.append((torch.rand(1, generator=per_worker[worker]).item(), base_seed + worker))
        return draws

    expected = pytorchs(30, recipe)
    minigrad.manual_seed(30)
    loader = data.DataLoader(DrawInWorker(), batch_size=1, num_workers=2)
    assert [(batch[0].item(), batch[1].item()) for batch in loader] == expected["seen"]
    _assert_streams_agree(expected)


def _train(lib, model, loss_fn, optimizer, loader):
    losses = []
    for _ in range(3):
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def test_seeded_lenet_training_reproduces_pytorchs_losses():
    """manual_seed(1); LeNet; 48 random images and labels; shuffled loader; SGD with momentum."""
    def theirs(torch):
        model = torch_lenet(torch, 2)
        dataset = torch.utils.data.TensorDataset(torch.randn(48, 3, 32, 32), torch.randint(0, 2, (48,)))
        return _train(torch, model, torch.nn.CrossEntropyLoss(),
                      torch.optim.SGD(model.parameters(), lr=0.0125, momentum=0.9),
                      torch.utils.data.DataLoader(dataset, batch_size=8, shuffle=True))

    expected = pytorchs(1, theirs)
    minigrad.manual_seed(1)
    model = nn.models.LeNet(2)
    dataset = data.TensorDataset(minigrad.randn(48, 3, 32, 32), minigrad.randint(0, 2, (48,)))
    ours = _train(minigrad, model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.0125, momentum=0.9),
                  data.DataLoader(dataset, batch_size=8, shuffle=True))
    assert len(ours) == 18
    numpy.testing.assert_allclose(ours, expected["seen"], rtol=1e-4)
    _assert_streams_agree(expected)
