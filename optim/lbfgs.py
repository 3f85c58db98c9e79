"""L-BFGS: a quasi-Newton method that learns the curvature from its last few steps."""
from minigrad import enable_grad, no_grad
from minigrad.backend import array_module
from minigrad.sparse import SparseTensor
from minigrad.engine import Tensor
from optim._line_search import _strong_wolfe
from optim.optimizer import Optimizer, as_state, check_common

# What one step leaves in the state for the next, besides the counters 'func_evals' and 'n_iter'
HISTORY_KEYS = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")


class MissingClosureError(TypeError, RuntimeError):
    """LBFGS.step() was called without a closure: a TypeError, as PyTorch raises for the missing
    argument, and also a RuntimeError, as other optimizers report a misuse of step()."""


def lbfgs_direction(flat_grad, old_dirs, old_stps, ro, h_diag, al):
    """The two-loop recursion: returns -H g, where H approximates the inverse Hessian from the
    stored pairs (s_i = old_stps[i], y_i = old_dirs[i], rho_i = ro[i] = 1 / y_i's_i, oldest
    first) starting from H_0 = h_diag * I. ``al`` receives the alpha_i (PyTorch keeps them in
    the state as scratch space)."""
    q = -flat_grad
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q -= al[i] * old_dirs[i]
    r = q * h_diag
    for i in range(len(old_dirs)):
        beta = old_dirs[i].dot(r) * ro[i]
        r += (al[i] - beta) * old_stps[i]
    return r


def remember_pair(y, s, old_dirs, old_stps, ro, h_diag, history_size):
    """Store the newest pair (s, y) when it shows positive curvature (y's > 1e-10), dropping the
    oldest beyond ``history_size``; returns the new scale of H_0 (y's / y'y, or the old one)."""
    ys = y.dot(s)
    if ys > 1e-10:
        if len(old_dirs) == history_size:
            old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
        old_dirs.append(y)
        old_stps.append(s)
        ro.append(1.0 / ys)
        h_diag = ys / y.dot(y)
    return h_diag


class LBFGS(Optimizer):
    r"""L-BFGS (Nocedal, "Updating Quasi-Newton Matrices with Limited Storage", Mathematics of
    Computation 35, 1980; Liu & Nocedal, "On the Limited Memory BFGS Method for Large Scale
    Optimization", Mathematical Programming 45, 1989), as PyTorch ports it from minFunc.

    Newton's method steps by -H g with H the inverse Hessian; L-BFGS approximates H from the
    last ``history_size`` steps s_k = w_{k+1} - w_k and gradient changes y_k = g_{k+1} - g_k,
    never forming a matrix. One ``step(closure)`` runs up to ``max_iter`` iterations and
    calls the closure (which must zero the gradients, compute the loss, call backward and
    return the loss) whenever it needs the loss and gradient at a new point::

        input: lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size
        f, g = closure()                                    (its loss is what step returns)
        stop if max|g| <= tolerance_grad
        repeat up to max_iter times:
            if first iteration ever: d = -g
            else:
                y = g - g_prev,  s = t d_prev
                if y's > 1e-10: remember (s, y, rho = 1 / y's);  H_0 = y's / y'y
                d = -H g                                    (two-loop recursion)
            t = min(1, 1 / sum|g|) * lr  on the very first iteration, else lr
            stop if g'd > -tolerance_change                 (not a descent direction)
            t = strong_wolfe(t) if line_search_fn else t    (the line search calls the closure)
            w = w + t d;  f, g = closure()                  (skipped on the last iteration)
            stop if max_eval evaluations are used, max|g| <= tolerance_grad,
                 max|t d| <= tolerance_change or |f - f_prev| < tolerance_change

    Arguments:
        params: an iterable of parameters; only one parameter group is supported.
        lr (float, default 1): step length (the line search's first trial, with one).
        max_iter (int, default 20): iterations per ``step()``.
        max_eval (int, default max_iter * 5 // 4): closure evaluations per ``step()``.
        tolerance_grad (float, default 1e-7): stop when every gradient entry is this small.
        tolerance_change (float, default 1e-9): stop when the loss or the weights change
            less than this.
        history_size (int, default 100): how many (s, y) pairs are remembered.
        line_search_fn (str or None, default None): None for a fixed step of ``lr``, or
            ``"strong_wolfe"``.

    The state lives under the first parameter, as in PyTorch: the counters ``func_evals`` and
    ``n_iter``, and ``d``, ``t``, ``old_dirs`` (the y's), ``old_stps`` (the s's), ``ro``,
    ``H_diag``, ``prev_flat_grad``, ``prev_loss`` and ``al``. All parameters are handled as one
    flat vector; they must be on one device. It needs memory for (history_size + 1) * 2 copies
    of the parameters.
    """

    state_shaped_like_params = False  # its history is one flat vector over all parameters

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        check_common(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def step(self, closure=None):
        """Run up to ``max_iter`` iterations; returns the loss of the first closure call."""
        if closure is None:
            raise MissingClosureError("LBFGS.step() requires a closure that re-evaluates the model and returns the "
                                      "loss: optimizer.step(closure)")
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        self._step_count += 1
        with no_grad():  # the closure runs with gradients enabled, the rest without
            orig_loss = self._evaluate(closure)
            state["func_evals"] += 1
            flat_grad = self._gather_flat_grad()
            if abs(flat_grad).max() <= group["tolerance_grad"]:
                return orig_loss
            run = {key: _from_state(state.get(key)) for key in HISTORY_KEYS}
            run["al"] = _from_state(state.get("al"))
            self._iterate(closure, group, state, run, float(orig_loss), flat_grad)
        state.update({key: _to_state(run[key]) for key in HISTORY_KEYS})
        if run["al"] is not None:
            state["al"] = _to_state(run["al"])
        return orig_loss

    def _iterate(self, closure, group, state, run, loss, flat_grad):
        """The iterations of one step; ``run`` holds d, t, the history, ... as arrays."""
        evaluations = 1
        for iteration in range(1, group["max_iter"] + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                run.update(d=-flat_grad, old_dirs=[], old_stps=[], ro=[], H_diag=1)
            else:
                self._quasi_newton_direction(run, state, flat_grad, group["history_size"])
            run["prev_flat_grad"], run["prev_loss"] = flat_grad.copy(), loss
            if state["n_iter"] == 1:  # the very first move is at most lr long in the L1 norm
                run["t"] = min(1.0, 1.0 / abs(flat_grad).sum()) * group["lr"]
            else:
                run["t"] = group["lr"]
            gtd = flat_grad.dot(run["d"])
            if gtd > -group["tolerance_change"]:
                break
            loss, flat_grad, run["t"], used = self._move(closure, group, loss, flat_grad, run["d"], run["t"], gtd,
                                                         evaluations, last=iteration == group["max_iter"])
            evaluations += used
            state["func_evals"] += used
            if (evaluations >= group["max_eval"] or abs(flat_grad).max() <= group["tolerance_grad"]
                    or abs(run["d"] * run["t"]).max() <= group["tolerance_change"]
                    or abs(loss - run["prev_loss"]) < group["tolerance_change"]):
                break

    def _quasi_newton_direction(self, run, state, flat_grad, history_size):
        y, s = flat_grad - run["prev_flat_grad"], run["d"] * run["t"]
        run["H_diag"] = remember_pair(y, s, run["old_dirs"], run["old_stps"], run["ro"], run["H_diag"], history_size)
        if run["al"] is None:
            run["al"] = [None] * history_size
            state["al"] = None  # keeps PyTorch's key order; filled at the end of the step
        run["d"] = lbfgs_direction(flat_grad, run["old_dirs"], run["old_stps"], run["ro"], run["H_diag"], run["al"])

    def _move(self, closure, group, loss, flat_grad, d, t, gtd, evaluations, last):
        """Step along d, by the line search's t or by t itself; returns the new loss, flat
        gradient, t and the number of closure calls it made."""
        line_search = group["line_search_fn"]
        if line_search is not None:
            if line_search != "strong_wolfe":
                raise RuntimeError(f"only 'strong_wolfe' is supported as line_search_fn, got {line_search!r}")
            start = [p.array.copy() for p in self._params]
            loss, flat_grad, t, used = _strong_wolfe(lambda trial: self._directional_evaluate(closure, start, trial, d),
                                                     t, d, loss, flat_grad, gtd, max_ls=group["max_eval"] - evaluations)
            self._add_to_params(t, d)
            return loss, flat_grad, t, used
        self._add_to_params(t, d)
        if last:  # the next step() evaluates this point first anyway
            return loss, flat_grad, t, 0
        loss = float(self._evaluate(closure))
        return loss, self._gather_flat_grad(), t, 1

    # ---- the parameters as one flat vector ---------------------------------------------

    @staticmethod
    def _evaluate(closure):
        with enable_grad():
            return closure()

    def _gather_flat_grad(self):
        xp = array_module(self._params[0].array)
        pieces = []
        for p in self._params:
            if p.grad is None:
                pieces.append(xp.zeros(p.numel(), dtype=p.dtype))
            elif isinstance(p.grad, SparseTensor):
                pieces.append(p.grad.to_dense().array.reshape(-1))
            else:
                pieces.append(p.grad.array.reshape(-1))
        return xp.concatenate(pieces)

    def _add_to_params(self, step_size, direction):
        offset = 0
        for p in self._params:
            count = p.numel()
            p.array += step_size * direction[offset:offset + count].reshape(p.shape)
            p._version_counter[0] += 1  # an in-place change, as autograd must know
            offset += count

    def _directional_evaluate(self, closure, start, t, d):
        """Loss and flat gradient at start + t d; the parameters are put back to ``start``."""
        self._add_to_params(t, d)
        loss = float(self._evaluate(closure))
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, start):
            p.array[...] = saved
            p._version_counter[0] += 1
        return loss, flat_grad


def _to_state(value):
    """Arrays and array scalars as Tensors (0-d for scalars), the form PyTorch's state holds;
    lists item by item; Python numbers and None as they are."""
    if isinstance(value, list):
        return [_to_state(item) for item in value]
    if hasattr(value, "dtype"):
        return as_state(array_module(value).asarray(value))
    return value


def _from_state(value):
    """The inverse of :func:`_to_state`: Tensors back to arrays (0-d ones to array scalars)."""
    if isinstance(value, list):
        return [_from_state(item) for item in value]
    if isinstance(value, Tensor):
        return value.array[()] if value.ndim == 0 else value.array
    return value
