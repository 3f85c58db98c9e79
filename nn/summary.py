"""``nn.summary(model, input_size)``: the layer table users know from torchsummary."""
import minigrad


def summary(model, input_size, batch_size=-1, device="cpu", dtype=None):
    """Run one forward pass on zeros of ``input_size`` (without the batch dimension), print each
    leaf layer with its output shape and parameter count, and return the text."""
    sizes = [input_size] if isinstance(input_size[0], int) else list(input_size)
    rows, handles = [], []

    def record(module, inputs, output):
        first = output[0] if isinstance(output, (tuple, list)) else output
        shape = [batch_size] + list(first.shape[1:])
        count = sum(p.numel() for p in module.parameters(recurse=False))
        trainable = sum(p.numel() for p in module.parameters(recurse=False) if p.requires_grad)
        rows.append((f"{type(module).__name__}-{len(rows) + 1}", shape, count, trainable))

    for module in model.modules():
        if module is not model and not module._modules:
            handles.append(module.register_forward_hook(record))
    was_training = model.training
    model.eval()
    try:
        with minigrad.no_grad():
            inputs = [minigrad.zeros(2, *size, device=device, dtype=dtype) for size in sizes]
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    line = "-" * 64
    lines = [line, f"{'Layer (type)':>20}  {'Output Shape':>25} {'Param #':>15}", "=" * 64]
    lines += [f"{name:>20}  {str(shape):>25} {count:>15,}" for name, shape, count, _ in rows]
    lines += ["=" * 64, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}", line]
    text = "\n".join(lines)
    print(text)
    return text
