"""Tensor text as PyTorch prints it: ``tensor([[0.1000, 2.0000]], grad_fn=<MulBackward0>)``.

The rules follow PyTorch's ``_tensor_str``: one format for all elements, chosen from the finite
non-zero values (integers print as ``2.``; scientific notation when the largest is over 1e8, or
over 1000 times the smallest, or the smallest under 1e-4), columns padded to the widest element,
lines wrapped at ``linewidth``, and tensors of more than ``threshold`` elements summarized with
``edgeitems`` at each end.
"""
import math
from dataclasses import dataclass

import numpy

from minigrad import dtypes
from minigrad.backend import get_default_device, to_numpy


@dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


PRINT_OPTIONS = PrintOptions()
_PROFILES = {"default": PrintOptions(), "short": PrintOptions(2, 1000, 2, 80), "full": PrintOptions(4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """PyTorch's ``set_printoptions``: profiles 'default', 'short', 'full', then single options."""
    if profile is not None:
        preset = _PROFILES[profile]
        for name in ("precision", "threshold", "edgeitems", "linewidth"):
            setattr(PRINT_OPTIONS, name, getattr(preset, name))
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTIONS, name, value)
    PRINT_OPTIONS.sci_mode = sci_mode


class _Formatter:
    """The width and notation shared by every element of one tensor."""

    def __init__(self, values):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        precision = PRINT_OPTIONS.precision
        if not self.floating:
            for value in values.reshape(-1).tolist():
                self.max_width = max(self.max_width, len(str(value)))
            return
        flat = values.reshape(-1)
        finite = flat[numpy.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        magnitudes = numpy.abs(finite).astype(numpy.float64)
        smallest, largest = magnitudes.min(), magnitudes.max()
        items = finite.tolist()
        self.int_mode = bool(numpy.all(finite == numpy.ceil(finite)))
        self.sci_mode = bool(largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4) \
            if PRINT_OPTIONS.sci_mode is None else PRINT_OPTIONS.sci_mode  # a forced mode also sets the widths
        if self.sci_mode:
            widths = (len(f"{v:.{precision}e}") for v in items)
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in items)  # + 1 for the point that marks a float
        else:
            widths = (len(f"{v:.{precision}f}") for v in items)
        self.max_width = max(self.max_width, max(widths))

    def format(self, value):
        precision = PRINT_OPTIONS.precision
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{value:.{precision}f}"
        return (self.max_width - len(text)) * " " + text


def _summarized(values):
    """The elements a summarized print shows: ``edgeitems`` from each end of every axis."""
    edge = PRINT_OPTIONS.edgeitems
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * edge:
        values = numpy.concatenate([values[:edge], values[-edge:]]) if edge else values[:0]
    return numpy.stack([_summarized(row) for row in values]) if values.ndim > 1 and len(values) else values


def _vector(values, indent, summarize, formatter):
    edge = PRINT_OPTIONS.edgeitems
    per_line = max(1, int(math.floor((PRINT_OPTIONS.linewidth - indent) / (formatter.max_width + 2))))
    if summarize and not edge:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * edge:
        data = ([formatter.format(v) for v in values[:edge].tolist()] + [" ..."]
                + [formatter.format(v) for v in values[-edge:].tolist()])
    else:
        data = [formatter.format(v) for v in values.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(values, indent, summarize, formatter):
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        return _vector(values, indent, summarize, formatter)
    edge = PRINT_OPTIONS.edgeitems
    if summarize and values.shape[0] > 2 * edge:
        rows = ([_nested(values[i], indent + 1, summarize, formatter) for i in range(edge)] + ["..."]
                + [_nested(values[i], indent + 1, summarize, formatter) for i in range(len(values) - edge, len(values))])
    else:
        rows = [_nested(values[i], indent + 1, summarize, formatter) for i in range(values.shape[0])]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def values_text(values, indent):
    """The bracketed numbers of an array, as PyTorch lays them out."""
    if values.size == 0:
        return "[]"
    if values.dtype == numpy.float16:
        values = values.astype(numpy.float32)
    summarize = values.size > PRINT_OPTIONS.threshold
    formatter = _Formatter(_summarized(values) if summarize else values)
    return _nested(values, indent, summarize, formatter)


def _with_suffixes(text, suffixes, indent):
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_repr(tensor, prefix="tensor("):
    indent = len(prefix)
    values = to_numpy(tensor.array)
    suffixes = []
    if tensor.device.type != get_default_device().type:
        suffixes.append(f"device='{tensor.device}'")
    default_float = dtypes.get_default_dtype().dtype
    if values.size == 0:
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if values.dtype != default_float:
            suffixes.append(f"dtype={dtypes.as_dtype(values.dtype)}")
    elif values.dtype not in (default_float, numpy.dtype("int64"), numpy.dtype("bool")):
        suffixes.append(f"dtype={dtypes.as_dtype(values.dtype)}")
    node = tensor.grad_fn
    if node is not None:
        suffixes.append(f"grad_fn=<{node.label}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + values_text(values, indent), suffixes, indent)
