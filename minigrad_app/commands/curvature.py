"""``minigrad curvature``: the Hessian explains what the learning-rate experiments show.

Three studies, all through Hessian-vector products (minigrad_app/hessian.py):

1. The tutorial's y = 4x^2: f'' = 8, so a step multiplies x by (1 - 8 lr): lr = 1/8 lands on the
   minimum in one step and every lr past 2/8 diverges. Drawn over the tutorial's sweep.
2. Rosenbrock at its minimum and the stretched quadratic 4x^2 + 0.04y^2: both eigenvalues, the
   condition number kappa, and the contraction per step predicted for tuned gradient descent and
   tuned heavy-ball momentum against what our SGD measures (minigrad_app/conditioning.py).
3. LeNet on the RMB notes, trained with the main job's recipe: the top eigenvalue of the training
   loss's Hessian on a fixed batch, every epoch, against the stability limit 2/lr (Cohen et al.,
   "Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability", 2021; with
   momentum m the limit is 2(1 + m)/lr), and where StepLR's decay moves the run.
"""
import json
import tempfile

import numpy

import minigrad
from minigrad_app import conditioning, hessian, job, training
from minigrad_app.commands import landscape, lr_sweep
from minigrad_app.cli import make_parser, positive_float, positive_int, pyplot, save_figure
from minigrad_app.commands.gd import func

TUTORIAL_RATES = (0.01, 0.2, 10)  # the tutorial's sweep: 10 rates from 0.01 to 0.2


def function_hessian(function, point):
    """The dense Hessian of ``function`` at ``point`` (float64), column by column from products."""
    w = minigrad.tensor(point, dtype=minigrad.float64, requires_grad=True)
    return hessian.dense_hessian(hessian.hessian_vector_product(function(w), [w]), [w])


def lenet_sharpness(net, criterion, batch, iters):
    """The top Hessian eigenvalue of the loss on ``batch``; leaves the random generator as it was,
    so that the training run is the one ``minigrad train`` would make."""
    rng = minigrad.get_rng_state()
    params = [param for param in net.parameters() if param.requires_grad]
    inputs, labels = batch
    hvp = hessian.hessian_vector_product(criterion(net(inputs), labels), params)
    value = hessian.largest_eigenvalue(hvp, params, iters=iters)
    minigrad.set_rng_state(rng)
    return value


def tutorial_study(iters):
    """f'' of 4x^2 by one product, and the tutorial's sweep next to a finer one."""
    x = minigrad.tensor([2.0], requires_grad=True)
    hvp = hessian.hessian_vector_product(func(x), [x])
    second = hvp([minigrad.ones(1)])[0].item()
    top, _, _ = hessian.top_eigenvalue(hvp, [x], iters=5)
    fine_rates, fine_losses = lr_sweep.sweep(0.005, 0.28, 56, iters)
    rates, losses = lr_sweep.sweep(*TUTORIAL_RATES, iters)
    return {"second_derivative": second, "power_iteration": top, "fastest_lr": 1 / second,
            "divergence_lr": 2 / second, "iterations": iters,
            "sweep": {"lr": fine_rates, "final_loss": [row[-1] for row in fine_losses]},
            "tutorial_sweep": {"lr": rates, "final_loss": [row[-1] for row in losses]}}


def lenet_study(parser, args):
    """Train the main job epoch by epoch, measuring the sharpness before each epoch and at the end."""
    with tempfile.TemporaryDirectory() as workspace:
        setup = job.prepare(parser, args, workspace, log_interval=10 ** 9)
        batch = landscape.evaluation_batches(setup, args.device, batch_size=args.hessian_batch)[0]
        rows = []
        with training.StopRequest() as stop:
            for epoch in range(args.epochs + 1):
                lr = setup.optimizer.param_groups[0]["lr"]
                sharpness = lenet_sharpness(setup.net, setup.criterion, batch, args.power_iters)
                rows.append({"epoch": epoch, "lr": lr, "sharpness": sharpness, "gd_limit": 2 / lr,
                             "momentum_limit": 2 * (1 + args.momentum) / lr,
                             "largest_stable_gd_lr": 2 / sharpness if sharpness > 0 else None})
                print(f"after {epoch} epochs: top Hessian eigenvalue {sharpness:.4g}; lr {lr:.4g}: "
                      f"2/lr = {2 / lr:.4g}, 2(1+m)/lr = {rows[-1]['momentum_limit']:.4g}")
                if epoch == args.epochs or stop.received is not None:
                    break
                training.train_one_epoch(setup.net, setup.train_loader, setup.criterion, setup.optimizer,
                                         setup.run, setup.settings, stop)
                training.finish_epoch(setup.net, setup.valid_loader, setup.criterion, setup.optimizer,
                                      setup.scheduler, setup.run, setup.settings)
                rows[-1]["train_loss"] = setup.run.epochs[-1]["train_loss"]
    return {"hessian_batch": int(batch[1].size(0)), "momentum": args.momentum, "epochs": rows}


def plot_tutorial(axis, study):
    h, n = study["second_derivative"], study["iterations"]
    sweep, tutorial = study["sweep"], study["tutorial_sweep"]
    floor = 1e-40  # float32 underflows to 0 near lr = 1/8; drawn here
    axis.semilogy(sweep["lr"], numpy.maximum(sweep["final_loss"], floor), "-", color="C0",
                  label=f"loss at step {n} (0 drawn at {floor:g})")
    axis.semilogy(tutorial["lr"], numpy.maximum(tutorial["final_loss"], floor), "o", color="C0",
                  label="the tutorial's 10 rates")
    rates = numpy.linspace(sweep["lr"][0], sweep["lr"][-1], 400)
    axis.semilogy(rates, numpy.maximum(16 * (1 - h * rates) ** (2 * (n - 1)), floor), ":", color="black",
                  lw=1, label=f"16 (1 - {h:g} lr)^{2 * (n - 1)}")
    axis.axvline(study["fastest_lr"], color="C2", ls="--", label=f"1/f'' = {study['fastest_lr']:g}: one step")
    axis.axvline(study["divergence_lr"], color="C3", ls="--",
                 label=f"2/f'' = {study['divergence_lr']:g}: diverges past")
    axis.set_xlabel("learning rate")
    axis.set_ylabel(f"loss at step {n}")
    axis.set_title(f"y = 4x^2: f'' = {h:g} by a Hessian-vector product")
    axis.legend(fontsize=7)


def plot_problem(axis, result):
    for color, (method, run) in zip(("C0", "C1"), result["runs"].items()):
        distances = numpy.asarray(run["distances"])
        steps = numpy.arange(len(distances))
        label = "GD" if method == "gd" else f"heavy ball (m = {run['momentum']:.3f})"
        axis.semilogy(steps, distances, color=color, label=f"{label}, lr = {run['lr']:.3g}: measured "
                                                          f"{run['measured']:.4f}")
        axis.semilogy(steps, distances[0] * run["predicted"] ** steps, ":", color=color,
                      label=f"predicted {run['predicted']:.4f} per step")
    h_max, h_min = result["eigenvalues"]
    top = max(max(run["distances"]) for run in result["runs"].values())
    axis.set_ylim(1e-14, 10 * top)
    axis.set_xlabel("step")
    axis.set_ylabel("|w - w*|")
    axis.set_title(f"{result['name']}: eigenvalues {h_max:.5g}, {h_min:.4g}; kappa = {result['kappa']:.4g}",
                   fontsize=10)
    axis.legend(fontsize=7)


def plot_lenet(axis, study):
    rows = study["epochs"]
    epochs = [row["epoch"] for row in rows]
    axis.semilogy(epochs, [row["sharpness"] for row in rows], "-o", ms=4, color="C0",
                  label=f"top Hessian eigenvalue (batch of {study['hessian_batch']})")
    axis.semilogy(epochs, [row["gd_limit"] for row in rows], drawstyle="steps-post", color="C3", ls="--",
                  label="2 / lr (plain GD's limit)")
    axis.semilogy(epochs, [row["momentum_limit"] for row in rows], drawstyle="steps-post", color="C1", ls=":",
                  label=f"2 (1 + m) / lr (momentum {study['momentum']:g})")
    for before, after in zip(rows, rows[1:]):
        if after["lr"] < before["lr"]:
            axis.annotate(f"StepLR: lr -> {after['lr']:.3g}", (after["epoch"], after["gd_limit"]), fontsize=8,
                          xytext=(-4, -12), textcoords="offset points", ha="right")
    axis.set_xlabel("epochs trained")
    axis.set_ylabel("curvature")
    axis.set_title("LeNet on RMB notes: sharpness against the stability limit")
    axis.legend(fontsize=7)


def build_parser():
    parser = make_parser("curvature", "Hessian eigenvalues: the learning-rate limit 2/lambda, kappa and "
                                      "momentum, and LeNet's sharpness during training.")
    parser.add_argument("--iters", type=positive_int, default=20,
                        help="steps per rate on 4x^2 (default 20, the tutorial's table)")
    parser.add_argument("--steps", type=positive_int, default=2000,
                        help="SGD steps on Rosenbrock and the quadratic (default 2000)")
    parser.add_argument("--no-lenet", action="store_true", help="skip the LeNet study")
    job.add_job_options(parser)
    parser.add_argument("--epochs", type=positive_int, default=20, help="LeNet epochs (default 20)")
    parser.add_argument("--lr", type=positive_float, default=0.0125)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--step-size", type=positive_int, default=10, help="StepLR's step (default 10)")
    parser.add_argument("--gamma", type=positive_float, default=0.1, help="StepLR's factor (default 0.1)")
    parser.add_argument("--power-iters", type=positive_int, default=20, help="products per eigenvalue (default 20)")
    parser.add_argument("--hessian-batch", type=positive_int, default=64,
                        help="training images in the fixed batch (default 64)")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    metrics = {"tutorial": tutorial_study(args.iters)}
    print(f"y = 4x^2: f'' = {metrics['tutorial']['second_derivative']:g}; fastest lr 1/f'' = "
          f"{metrics['tutorial']['fastest_lr']:g}, diverges past 2/f'' = {metrics['tutorial']['divergence_lr']:g}")
    metrics["problems"] = [conditioning.study(problem, function_hessian, args.steps)
                           for problem in conditioning.PROBLEMS]
    for result in metrics["problems"]:
        print(f"{result['name']}: eigenvalues {result['eigenvalues'][0]:.5g} and {result['eigenvalues'][1]:.4g}, "
              f"kappa {result['kappa']:.4g}; contraction per step " + "; ".join(
                  f"{method}: predicted {run['predicted']:.4f}, measured {run['measured']:.4f}"
                  for method, run in result["runs"].items()))
    if not args.no_lenet:
        metrics["lenet"] = lenet_study(parser, args)
    path = plot(metrics, args.out / "curvature.png", args.show)
    for result in metrics["problems"]:
        for run in result["runs"].values():
            run.pop("distances")  # drawn; too long for the metrics
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(f"figure: {path}")
    return 0


def plot(metrics, path, show):
    plt = pyplot(show)
    panels = 3 if "lenet" not in metrics else 4
    figure, axes = plt.subplots(2, 2, figsize=(13, 9.5), gridspec_kw={"hspace": 0.3, "wspace": 0.25})
    plot_tutorial(axes[0, 0], metrics["tutorial"])
    for axis, result in zip((axes[0, 1], axes[1, 0]), metrics["problems"]):
        plot_problem(axis, result)
    if panels == 4:
        plot_lenet(axes[1, 1], metrics["lenet"])
    else:
        axes[1, 1].axis("off")
    return save_figure(plt, figure, path, show)
