"""``minigrad train --diagnostics``: how each layer learns, iteration by iteration.

Three numbers per layer with weights, after every training step:

- the gradient norm |dL/dW|: vanishing or exploding gradients show up as lines that sink or soar;
- the update-to-weight ratio lr |dL/dW| / |W|: how far one step moves the layer relative to its
  size (the plain gradient step; momentum makes the real step larger). Karpathy's rule of thumb
  (CS231n) is about 1e-3: much lower and the layer hardly learns, much higher and it thrashes;
- the layer's output statistics (mean, standard deviation, fraction above zero, i.e. what the
  following ReLU lets through: a fraction near 0 means dead units).

Written to ``grad-flow.png``, ``update-ratio.png`` and under ``"diagnostics"`` in ``metrics.json``.
"""
import json

import numpy

import minigrad
from minigrad_app.cli import pyplot, save_figure

GUIDE_RATIO = 1e-3
WINDOW = 10  # iterations in the moving average drawn over the raw, noisy per-step values


def attach(setup):
    """Start recording on the main job's ``setup`` (model, optimizer, settings); returns the recorder."""
    recorder = Diagnostics(setup.net, setup.optimizer)
    setup.settings.after_step = recorder.after_step
    return recorder


class Diagnostics:
    """Forward hooks collect activation statistics; :meth:`after_step` reads gradients and weights."""

    def __init__(self, net, optimizer):
        self.optimizer = optimizer
        self.layers = {name: module for name, module in net.named_modules()
                       if getattr(module, "weight", None) is not None}
        self.records = {name: {key: [] for key in ("grad_norm", "update_ratio", "act_mean", "act_std",
                                                   "act_positive")} for name in self.layers}
        self.pending = {}
        self.handles = [module.register_forward_hook(self._activation_hook(name))
                        for name, module in self.layers.items()]

    def _activation_hook(self, name):
        def hook(module, inputs, output):
            if module.training and minigrad.is_grad_enabled():  # training steps only, not validation
                values = output.detach()
                self.pending[name] = (values.mean().item(), values.std().item(), (values > 0).float().mean().item())
        return hook

    def after_step(self):
        """Record one iteration (call it after ``optimizer.step()``, while the gradients are there)."""
        lr = self.optimizer.param_groups[0]["lr"]
        for name, module in self.layers.items():
            record, weight = self.records[name], module.weight
            grad_norm = weight.grad.norm().item() if weight.grad is not None else 0.0
            record["grad_norm"].append(grad_norm)
            record["update_ratio"].append(lr * grad_norm / max(weight.detach().norm().item(), 1e-12))
            mean, std, positive = self.pending.pop(name, (float("nan"),) * 3)
            record["act_mean"].append(mean)
            record["act_std"].append(std)
            record["act_positive"].append(positive)

    def remove(self):
        for handle in self.handles:
            handle.remove()

    def write(self, out, show=False):
        """Add the records to ``out/metrics.json`` and draw the two figures; returns their paths."""
        self.remove()
        metrics_path = out / "metrics.json"
        metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}
        metrics["diagnostics"] = {"guide_update_ratio": GUIDE_RATIO, "layers": self.records}
        metrics_path.write_text(json.dumps(metrics, indent=2))
        paths = [plot_grad_flow(self.records, out / "grad-flow.png", show),
                 plot_update_ratio(self.records, out / "update-ratio.png", show)]
        print(f"diagnostics: {' '.join(str(path) for path in paths)}, and under 'diagnostics' in {metrics_path}")
        return paths


def _plot(axis, values, color, label):
    """The raw values faintly, and their moving average (over up to WINDOW steps) on top."""
    values = numpy.asarray(values, dtype=float)
    window = max(1, min(WINDOW, len(values)))
    smooth = numpy.convolve(values, numpy.ones(window) / window, mode="valid")
    axis.plot(values, color=color, lw=0.6, alpha=0.3)
    axis.plot(numpy.arange(window - 1, len(values)), smooth, color=color, lw=1.5, label=label)


def plot_grad_flow(records, path, show):
    plt = pyplot(show)
    figure, axes = plt.subplots(3, 1, figsize=(9, 9), sharex=True)
    for index, (name, record) in enumerate(records.items()):
        color = f"C{index}"
        _plot(axes[0], record["grad_norm"], color, name)
        _plot(axes[1], record["act_std"], color, name)
        _plot(axes[2], record["act_positive"], color, name)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("weight gradient norm")
    axes[0].set_title(f"Gradient flow per layer (faint: every iteration; bold: mean of {WINDOW})")
    axes[0].legend(fontsize=8, ncol=len(records))
    axes[1].set_ylabel("layer output std")
    axes[2].set_ylabel("output fraction > 0\n(passed by ReLU)")
    axes[2].set_ylim(0, 1)
    axes[2].set_xlabel("iteration")
    return save_figure(plt, figure, path, show)


def plot_update_ratio(records, path, show):
    plt = pyplot(show)
    figure, axis = plt.subplots(figsize=(9, 4.5))
    for index, (name, record) in enumerate(records.items()):
        _plot(axis, record["update_ratio"], f"C{index}", name)
    axis.axhline(GUIDE_RATIO, color="black", ls="--", lw=1, label="guide: 1e-3")
    axis.set_yscale("log")
    axis.set_xlabel("iteration")
    axis.set_ylabel("lr |grad| / |weight|")
    axis.set_title("Update-to-weight ratio per layer (a learning-rate decay shows as a step down)")
    axis.legend(fontsize=8, ncol=3)
    return save_figure(plt, figure, path, show)
