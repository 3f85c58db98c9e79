"""``nn.summary(model, input_size)``: the layer table users know from torchsummary."""
import math

import minigrad
from nn.containers import ModuleDict, ModuleList, Sequential

RULE, DOUBLE_RULE = "-" * 64, "=" * 64
ROW = "{:>20}  {:>25} {:>15}"
BYTES_PER_NUMBER = 4.0  # torchsummary's estimate assumes float32 everywhere


def summary(model, input_size, batch_size=-1, device="cpu", dtype=None):
    """Run ``model`` once on a batch of two zero inputs of ``input_size`` (a shape without the
    batch dimension, or a list of shapes for several inputs), then print and return a table of
    every layer it called (containers and the model itself left out, as torchsummary does): its
    output shape with ``batch_size`` as first dimension and its own parameter count, followed by
    the totals and torchsummary's memory estimate."""
    sizes = [tuple(input_size)] if isinstance(input_size[0], int) else [tuple(size) for size in input_size]
    if dtype is None:
        dtype = next((p.dtype for p in model.parameters() if p.dtype.kind == "f"), minigrad.float32)
    rows = _record_rows(model, sizes, batch_size, device, dtype)
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    input_mb = abs(sum(math.prod(size) for size in sizes) * batch_size * BYTES_PER_NUMBER / 1024 ** 2)
    outputs = sum(math.prod(shape) for _, shapes, _ in rows for shape in shapes)
    output_mb = abs(2.0 * outputs * BYTES_PER_NUMBER / 1024 ** 2)  # x2: the gradients
    params_mb = abs(total * BYTES_PER_NUMBER / 1024 ** 2)
    lines = [RULE, ROW.format("Layer (type)", "Output Shape", "Param #"), DOUBLE_RULE]
    lines += [ROW.format(name, str(shapes[0] if len(shapes) == 1 else shapes), f"{count:,}")
              for name, shapes, count in rows]
    lines += [DOUBLE_RULE, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}", RULE,
              f"Input size (MB): {input_mb:0.2f}", f"Forward/backward pass size (MB): {output_mb:0.2f}",
              f"Params size (MB): {params_mb:0.2f}",
              f"Estimated Total Size (MB): {input_mb + output_mb + params_mb:0.2f}",
              RULE]
    text = "\n".join(lines)
    print(text)
    return text


def _record_rows(model, sizes, batch_size, device, dtype):
    """(name, output shapes, parameter count) of each layer in the order its forward finished."""
    rows, handles = [], []

    def record(module, inputs, output):
        outputs = output if isinstance(output, (tuple, list)) else [output]
        first_dim = batch_size if len(outputs) == 1 else -1
        shapes = [[first_dim] + list(out.shape[1:]) for out in outputs]
        count = sum(p.numel() for p in module.parameters(recurse=False))
        rows.append((f"{type(module).__name__}-{len(rows) + 1}", shapes, count))

    for module in model.modules():
        if module is not model and not isinstance(module, (Sequential, ModuleList, ModuleDict)):
            handles.append(module.register_forward_hook(record))
    modes = [(module, module.training) for module in model.modules()]
    model.eval()  # no running statistics updated, no dropout drawn
    try:
        with minigrad.no_grad():
            model(*[minigrad.zeros(2, *size, device=device, dtype=dtype) for size in sizes])
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes:
            object.__setattr__(module, "training", training)
    return rows
