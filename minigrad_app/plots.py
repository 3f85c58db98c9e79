"""The training run's pictures: losses, accuracies, and test images with LeNet's answers."""
import numpy

from data import transform_invert
from minigrad_app.cli import pyplot, save_figure
from minigrad_app.rmb.loaders import CLASS_NAMES


def plot_losses(run, iterations_per_epoch, path, show):
    """Train loss per iteration and valid loss per epoch on one axis, as the tutorial plots them."""
    plt = pyplot(show)
    figure, axis = plt.subplots(figsize=(8, 4.5))
    axis.plot(range(len(run.train_curve)), run.train_curve, label="Train")
    valid_x = numpy.arange(1, len(run.valid_curve) + 1) * iterations_per_epoch
    axis.plot(valid_x, run.valid_curve, "-o", label="Valid")
    axis.legend(loc="upper right")
    axis.set_ylabel("loss value")
    axis.set_xlabel("Iteration")
    return save_figure(plt, figure, path, show)


def plot_accuracy(run, path, show):
    plt = pyplot(show)
    figure, axis = plt.subplots(figsize=(8, 4.5))
    epochs = [row["epoch"] for row in run.epochs]
    axis.plot(epochs, [row["train_acc"] for row in run.epochs], "-o", label="Train")
    axis.plot(epochs, [row["valid_acc"] for row in run.epochs], "-o", label="Valid")
    axis.set_ylim(0, 1.05)
    axis.set_xlabel("Epoch")
    axis.set_ylabel("accuracy")
    axis.legend(loc="lower right")
    return save_figure(plt, figure, path, show)


def plot_predictions(samples, transform, path, show, columns=5):
    """``samples`` are (image tensor, label or None, predicted class, probability); each image is
    shown through ``transform_invert`` and titled ``LeNet got 100 yuan``; wrong ones in red."""
    plt = pyplot(show)
    rows = max(1, -(-len(samples) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(2.4 * columns, 2.3 * rows), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, (image, label, predicted, probability) in zip(axes.flat, samples):
        axis.imshow(transform_invert(image, transform))
        wrong = label is not None and label != predicted
        title = f"LeNet got {CLASS_NAMES[predicted]} yuan" + (" (wrong)" if wrong else "")
        axis.set_title(f"{title}\np={probability:.2f}", fontsize=9, color="red" if wrong else "black")
    return save_figure(plt, figure, path, show)
