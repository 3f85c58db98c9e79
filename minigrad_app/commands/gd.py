"""``minigrad gd``: the tutorial's plain gradient descent on y = (2x)^2 = 4x^2.

Reads like the tutorial's script: start at x0, take ``iters`` steps of x <- x - lr * dy/dx
by hand (``x.data.sub_(lr * x.grad)``, then ``x.grad.zero_()``), print one line per step,
then draw the loss per iteration and the path on the curve.
"""
import minigrad
from minigrad_app.cli import make_parser, positive_int, pyplot, save_figure


def func(x_t):
    """y = (2x)^2 = 4*x^2, dy/dx = 8x"""
    return minigrad.pow(2 * x_t, 2)


def gradient_descent(lr, iterations, x0):
    """Run the tutorial's loop; return its printed lines and the (x, loss) record."""
    x = minigrad.tensor([x0], requires_grad=True)
    lines, x_rec, loss_rec = [], [], []
    for i in range(iterations):
        y = func(x)
        y.backward()
        lines.append("Iter:{}, X:{:8}, X.grad:{:8}, loss:{:10}".format(
            i, x.detach().numpy()[0], x.grad.detach().numpy()[0], y.item()))
        x_rec.append(x.item())
        loss_rec.append(y.item())
        x.data.sub_(lr * x.grad)  # x = x - lr * grad, outside autograd
        x.grad.zero_()            # gradients accumulate until zeroed
    return lines, x_rec, loss_rec


def plot(x_rec, loss_rec, lr, path, show):
    plt = pyplot(show)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(range(len(loss_rec)), loss_rec, "-ro")
    left.set_xlabel("Iteration")
    left.set_ylabel("Loss value")
    left.set_title(f"lr = {lr}")
    x_t = minigrad.linspace(-3, 3, 100)
    right.plot(x_t.numpy(), func(x_t).numpy(), label="y = 4*x^2")
    right.plot(x_rec, [func(minigrad.tensor(x)).item() for x in x_rec], "-ro", label="path from x0")
    right.grid()
    right.legend()
    return save_figure(plt, figure, path, show)


def main(argv=None):
    parser = make_parser("gd", "The tutorial's gradient descent on y = 4x^2, printed step by step.")
    parser.add_argument("--lr", type=float, default=0.02, help="learning rate (default 0.02)")
    parser.add_argument("--iters", type=positive_int, default=20, help="iterations (default 20)")
    parser.add_argument("--x0", type=float, default=2.0, help="starting point (default 2.0)")
    args = parser.parse_args(argv)
    lines, x_rec, loss_rec = gradient_descent(args.lr, args.iters, args.x0)
    print("\n".join(lines))
    path = plot(x_rec, loss_rec, args.lr, args.out / "gd.png", args.show)
    print(f"figure: {path}")
    return 0
