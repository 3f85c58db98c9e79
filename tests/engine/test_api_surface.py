"""The torch API minigrad covers (tests/api_surface.py) exists on both sides with PyTorch's parameters.

Where PyTorch's parameters are read from: ``inspect.signature`` for its Python functions; for
its builtins, the operator schemas (what its argument parser accepts, one per overload) and the
first line of the docstring (``add(input, other, *, alpha=1, out=None) -> Tensor``). A name is
PyTorch's if any of these knows it. Arguments about output buffers and memory layout (``out``,
``layout``, ``pin_memory``, ``memory_format``...) are ignored. PyTorch's signatures are read live,
or from the stored answers without PyTorch (tests/oracle.py).
"""
import inspect
import re

import pytest

import minigrad
from api_surface import ATTRIBUTES, FUNCTIONS, METHODS
from oracle import reference

IGNORED = {"out", "layout", "pin_memory", "memory_format", "out_dtype", "implicit", "names"}
# names PyTorch's argument parser accepts besides its schemas' (NumPy aliases, factory options)
ALIASES = {"requires_grad", "axis", "keepdims", "as_tuple", "x", "x1", "x2"}
# the names of issue 11's list: each is covered as a function, a method or both
ISSUE_11 = """log_softmax softmax normal bernoulli multinomial addmm baddbmm lerp outer einsum gather scatter
index_select masked_select topk sort cumsum cumprod roll flip tril triu nonzero unique repeat repeat_interleave tile
numel dim size type to item tolist""".split()
# where minigrad knowingly differs, and why
TOLERATED = {
    "load": "minigrad's load(path, map_location) has no pickle options (its files are not pickles)",
    "save": "minigrad's save(obj, path) has no pickle options",
    "set_num_threads": "PyTorch's docstring names its one positional-only argument after its type (int)",
    "tensor_split": "PyTorch's overloads name the argument sections/indices; called positionally everywhere",
    "uniform_": "'from' is a Python keyword: the bounds are named a and b (as in torch.nn.init.uniform_)",
}


def _split_top_level(text):
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


def doc_signature(obj):
    """(positional names, keyword-only names) from the docstring's first line, or None."""
    lines = (getattr(obj, "__doc__", None) or "").strip().splitlines()
    if not lines or "(" not in lines[0]:
        return None
    text = lines[0].replace("\\", "")
    start, depth = text.index("("), 0
    for end in range(start, len(text)):
        depth += text[end] == "("
        depth -= text[end] == ")"
        if depth == 0:
            break
    positional, keyword, star = [], [], False
    for part in _split_top_level(text[start + 1:end]):
        part = part.strip()
        if part == "*":
            star = True
        elif part and not part.startswith("*"):
            name = re.split(r"[=:\s]", part)[0]
            if name.isidentifier() and name not in IGNORED:
                (keyword if star else positional).append(name)
    return positional, keyword


def schema_signatures(torch, name, method):
    """One (positional, keyword-only) pair per tensor overload of PyTorch's operator ``name``."""
    result = []
    for schema in torch._C._jit_get_schemas_for_operator("aten::" + name):
        arguments = list(schema.arguments)
        if not any("Tensor" in str(a.type) or a.name in ("size", "dtype") for a in arguments) or \
                any("Dimname" in str(a.type) for a in arguments):
            continue  # TorchScript's scalar and list overloads, named-tensor overloads
        arguments = [a for a in arguments if not ("!" in str(a.type) and a.kwarg_only)]  # output buffers
        if method and arguments and arguments[0].name == "self":
            arguments = arguments[1:]
        names = [("input" if a.name == "self" else a.name, a.kwarg_only) for a in arguments if a.name not in IGNORED]
        result.append(([n for n, k in names if not k], [n for n, k in names if k]))
    return result


def python_signature(obj, method):
    try:
        parameters = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters) and len(parameters) <= 2:
        return None  # a (*args, **kwargs) wrapper: its docstring says more
    if method and parameters and parameters[0].name == "self":
        parameters = parameters[1:]
    named = [p for p in parameters if p.name not in IGNORED and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return ([p.name for p in named if p.kind != p.KEYWORD_ONLY], [p.name for p in named if p.kind == p.KEYWORD_ONLY])


def torch_signatures(torch, name, method):
    obj = getattr(torch.Tensor if method else torch, name)
    python = python_signature(obj, method)
    if python is not None:
        return [python]
    found = schema_signatures(torch, name, method)
    doc = doc_signature(obj)
    return found + ([doc] if doc is not None else [])


def ours(name, method):
    parameters = list(inspect.signature(getattr(minigrad.Tensor if method else minigrad, name)).parameters.values())
    return parameters[1:] if method else parameters


def pytorchs(name, method):
    """Whether PyTorch has ``name`` (a Tensor method or a function), and its signatures."""
    def ask(torch):
        exists = hasattr(torch.Tensor if method else torch, name)
        return {"exists": exists, "signatures": torch_signatures(torch, name, method) if exists else []}
    return reference(ask)


def check_parameters(name, method, signatures):
    if not signatures:
        return  # PyTorch documents no parameters (legacy constructors...): existence is all
    parameters = ours(name, method)
    known = set(ALIASES).union(*(set(p) | set(k) for p, k in signatures)) | IGNORED
    named = [p for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and not p.name.startswith("_")]
    invented = [p.name for p in named if p.name not in known]
    assert not invented, f"{name}: parameters {invented} are not PyTorch's {signatures}"
    positional = [p.name for p in named if p.kind != p.KEYWORD_ONLY]
    assert any(positional[:len(p)] == p[:len(positional)] for p, _ in signatures), \
        f"{name}: positional parameters {positional} are in another order than PyTorch's {signatures}"


def test_the_lists_cover_issue_11():
    missing = [name for name in ISSUE_11 if name not in FUNCTIONS and name not in METHODS]
    assert not missing
    assert len(set(FUNCTIONS)) == len(FUNCTIONS) and len(set(METHODS)) == len(METHODS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function(name):
    theirs = pytorchs(name, method=False)
    assert theirs["exists"], f"torch.{name} does not exist: remove it from the list"
    assert callable(getattr(minigrad, name, None)), f"minigrad.{name} is missing"
    if name not in TOLERATED:
        check_parameters(name, False, theirs["signatures"])


@pytest.mark.parametrize("name", METHODS)
def test_method(name):
    theirs = pytorchs(name, method=True)
    assert theirs["exists"], f"torch.Tensor.{name} does not exist: remove it from the list"
    assert callable(getattr(minigrad.Tensor, name, None)), f"minigrad.Tensor.{name} is missing"
    if name not in TOLERATED:
        check_parameters(name, True, theirs["signatures"])


@pytest.mark.parametrize("name", ATTRIBUTES)
def test_attribute(name):
    assert reference(lambda torch: hasattr(torch.Tensor, name)) and hasattr(minigrad.Tensor, name)


def test_every_function_with_a_method_form_has_it():
    with_methods = reference(lambda torch: [name for name in FUNCTIONS if callable(getattr(torch.Tensor, name, None))])
    missing = [name for name in with_methods if not callable(getattr(minigrad.Tensor, name, None))]
    assert not missing, f"PyTorch has these as Tensor methods too: {missing}"
    unlisted = [name for name in with_methods if name not in METHODS]
    assert not unlisted, f"add to METHODS: {unlisted}"
