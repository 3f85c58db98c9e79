"""L-BFGS (Nocedal, "Updating Quasi-Newton Matrices with Limited Storage", 1980; Liu & Nocedal
1989): a quasi-Newton method that approximates the inverse Hessian from the last
``history_size`` pairs (s = step, y = change of gradient), applied by the two-loop recursion:

    q <- -g;  for i newest..oldest: a_i = rho_i s_i'q;  q <- q - a_i y_i
    r <- H0 q  (H0 = s'y / y'y of the newest pair)
    for i oldest..newest: b = rho_i y_i'r;  r <- r + (a_i - b) s_i
    d = r;  w <- w + t d   (t = lr, or found by a strong-Wolfe line search)

One ``step(closure)`` runs up to ``max_iter`` iterations; the first step size of a run is
min(1, 1 / |g|_1) * lr, and it returns the loss evaluated first, as PyTorch.
"""
from minigrad.backend import array_module
from optim.line_search import strong_wolfe
from optim.optimizer import Optimizer, check_common


class LBFGS(Optimizer):
    """LBFGS(params, lr=1, max_iter=20, max_eval=max_iter*1.25, tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None): needs a closure that
    re-evaluates the loss; one parameter group only."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        check_common(lr)
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"only 'strong_wolfe' is supported as line_search_fn, got {line_search_fn!r}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ---- the parameters as one flat vector ---------------------------------------------

    def _flat_grad(self):
        xp = array_module(self._params[0].array)
        pieces = [xp.zeros(p.numel(), dtype=p.dtype) if p.grad is None else
                  (p.grad.to_dense() if getattr(p.grad, "is_sparse", False) else p.grad).array.reshape(-1)
                  for p in self._params]
        return xp.concatenate(pieces)

    def _add_to_params(self, step_size, direction):
        offset = 0
        for p in self._params:
            count = p.numel()
            p.array += step_size * direction[offset:offset + count].reshape(p.shape)
            offset += count

    def _evaluate_at(self, closure, start, t, direction):
        """Loss and flat gradient at ``start + t direction``; the parameters are put back."""
        self._add_to_params(t, direction)
        loss = float(closure())
        flat_grad = self._flat_grad()
        for p, saved in zip(self._params, start):
            p.array[...] = saved
        return loss, flat_grad

    # ---- the algorithm -----------------------------------------------------------------

    def step(self, closure=None):
        if closure is None:
            raise RuntimeError("LBFGS.step() requires a closure that re-evaluates the model and returns the loss")

        def evaluate():
            from minigrad import enable_grad
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = evaluate()
        loss, evaluations = float(orig_loss), 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        self._step_count += 1
        if abs(flat_grad).max() <= group["tolerance_grad"]:
            return orig_loss
        self._iterate(evaluate, group, state, loss, flat_grad, evaluations)
        return orig_loss

    def _iterate(self, evaluate, group, state, loss, flat_grad, evaluations):
        lr, history_size = group["lr"], group["history_size"]
        tolerance_change = group["tolerance_change"]
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")
        iteration = 0
        while iteration < group["max_iter"]:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = -flat_grad, [], [], [], 1
            else:
                h_diag = self._remember(flat_grad - prev_flat_grad, d * t, old_dirs, old_stps, ro, h_diag,
                                        history_size)
                d = self._two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, state, history_size)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            t = min(1.0, 1.0 / abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break
            used = 0
            if group["line_search_fn"] == "strong_wolfe":
                start = [p.array.copy() for p in self._params]
                loss, flat_grad, t, used = strong_wolfe(
                    lambda step: self._evaluate_at(evaluate, start, step, d), t, d, loss, flat_grad, gtd,
                    max_ls=group["max_eval"] - evaluations)
                self._add_to_params(t, d)
                optimal = abs(flat_grad).max() <= group["tolerance_grad"]
            else:
                self._add_to_params(t, d)
                optimal = False
                if iteration != group["max_iter"]:
                    loss = float(evaluate())
                    flat_grad = self._flat_grad()
                    optimal = abs(flat_grad).max() <= group["tolerance_grad"]
                    used = 1
            evaluations += used
            state["func_evals"] += used
            if (iteration == group["max_iter"] or evaluations >= group["max_eval"] or optimal
                    or abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change):
                break
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)

    @staticmethod
    def _remember(y, s, old_dirs, old_stps, ro, h_diag, history_size):
        """Store the newest curvature pair (if y's > 0) and return the new initial Hessian scale."""
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == history_size:
                old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            h_diag = ys / y.dot(y)
        return h_diag

    @staticmethod
    def _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, state, history_size):
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q -= al[i] * old_dirs[i]
        r = q * h_diag
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        return r
