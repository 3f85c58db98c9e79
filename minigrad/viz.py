"""Draw the autograd graph behind a tensor with matplotlib (no Graphviz needed).

The walk uses only what PyTorch exposes: ``tensor.grad_fn``, each node's ``next_functions``
(pairs of node or ``None`` and an input index) and the ``variable`` of ``AccumulateGrad`` nodes,
so it draws torch tensors too. The layout is layered like Graphviz's ``dot``: the output on top,
every node one row below the lowest node that hands it a gradient, rows ordered to keep edges
short; arrows point the way backward runs, and op nodes carry their rank in that order.
"""
from dataclasses import dataclass, field

ROW_HEIGHT = 0.75      # inches per layer
COLUMN_WIDTH = 2.3     # inches per node slot
LEAF_COLOR, OP_COLOR, ROOT_COLOR, NOGRAD_COLOR = "#cfe3f7", "#f2f2f2", "#d8f0d2", "#f7dcdc"


@dataclass
class _Node:
    label: str
    kind: str                     # "root", "op" or "leaf"
    children: list = field(default_factory=list)
    layer: int = 0
    x: float = 0.0


def draw_graph(tensor, path=None, params=None, grads=False):
    """Draw the graph that ``tensor.backward()`` would walk; returns the matplotlib Figure.

    ``params``: ``dict(model.named_parameters())`` to name the leaves. ``grads=True`` writes each
    leaf's ``.grad`` (after backward) under it. With ``path`` the figure is also saved as a PNG.
    """
    if not hasattr(tensor, "grad_fn"):
        raise TypeError(f"draw_graph(): tensor must be a Tensor, got {type(tensor).__name__}")
    names = {id(value): name for name, value in (params or {}).items()}
    nodes = _collect(tensor, names, grads)
    _assign_layers(nodes)
    rows = _order_rows(nodes)
    figure = _render(nodes, rows)
    if path is not None:
        figure.savefig(path, dpi=100, bbox_inches="tight")
    return figure


def graph_summary(tensor):
    """What :func:`draw_graph` draws, as data: the op names in the order backward runs them, the
    leaves' shapes, and the number of layers of the drawing."""
    nodes = _collect(tensor, {}, False)
    _assign_layers(nodes)
    order = [nodes[key].label.split(". ", 1)[1] for key in _topological(nodes) if nodes[key].kind == "op"]
    leaves = [nodes[key].label.split("\n")[0] for key in _topological(nodes) if nodes[key].kind == "leaf"]
    return {"backward_order": order, "leaves": leaves, "layers": 1 + max(node.layer for node in nodes.values())}


def _node_name(node):
    if not hasattr(node, "name"):
        raise TypeError(f"draw_graph(): next_functions holds a {type(node).__name__}, not a graph node; leaves "
                        f"must appear as AccumulateGrad nodes with a .variable, as in PyTorch")
    return node.name().split("::")[-1]  # torch names it "torch::autograd::AccumulateGrad"


def _shape(tensor):
    return "(" + ", ".join(str(size) for size in tensor.shape) + (",)" if tensor.dim() == 1 else ")")


def _grad_text(variable):
    grad = variable.grad
    if grad is None:
        return "grad: None"
    if grad.numel() <= 4:
        values = ", ".join(f"{v:.4g}" for v in grad.detach().cpu().reshape(-1).tolist())
        return f"grad: [{values}]"
    return f"|grad| = {float(grad.detach().norm().item()):.3g}"


def _leaf_label(variable, names, grads):
    name = names.get(id(variable), "")
    lines = [f"{name} {_shape(variable)}".strip(), "requires_grad" if variable.requires_grad else "no grad"]
    if grads:
        lines.append(_grad_text(variable))
    return "\n".join(lines)


def _collect(tensor, names, grads):
    """Graph nodes keyed by ``id``, root first; each op's children follow ``next_functions``."""
    root = _Node(f"output {_shape(tensor)}", "root")
    nodes = {"root": root}
    if tensor.grad_fn is None:
        root.kind, root.label = "leaf", _leaf_label(tensor, names, grads)
        return nodes
    root.children.append(id(tensor.grad_fn))
    stack, seen = [tensor.grad_fn], {id(tensor.grad_fn)}
    while stack:
        function = stack.pop()
        variable = getattr(function, "variable", None)
        if variable is not None:
            nodes[id(function)] = _Node(_leaf_label(variable, names, grads), "leaf")
            continue
        node = nodes[id(function)] = _Node(_node_name(function), "op")
        for child, _ in function.next_functions:
            if child is None:
                continue
            node.children.append(id(child))
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    _number_ops(nodes)
    return nodes


def _topological(nodes):
    """Keys in the order backward runs them: each node after every node that feeds it."""
    indegree = {key: 0 for key in nodes}
    for node in nodes.values():
        for child in node.children:
            indegree[child] += 1
    ready, order = ["root"], []
    while ready:
        key = ready.pop()
        order.append(key)
        for child in reversed(nodes[key].children):
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return order


def _number_ops(nodes):
    rank = 0
    for key in _topological(nodes):
        if nodes[key].kind == "op":
            rank += 1
            nodes[key].label = f"{rank}. {nodes[key].label}"


def _assign_layers(nodes):
    """Longest path from the root: every edge points down at least one row."""
    for key in _topological(nodes):
        for child in nodes[key].children:
            nodes[child].layer = max(nodes[child].layer, nodes[key].layer + 1)


def _order_rows(nodes, sweeps=4):
    """Rows of keys, ordered by the barycenter heuristic (mean position of neighbours above)."""
    rows = [[] for _ in range(1 + max(node.layer for node in nodes.values()))]
    for key in _topological(nodes):
        rows[nodes[key].layer].append(key)
    parents = {key: [] for key in nodes}
    for key, node in nodes.items():
        for child in node.children:
            parents[child].append(key)
    for _ in range(sweeps):
        for row in rows[1:]:
            _place(row, nodes)
            row[:] = _sorted_row(row, nodes, parents)
        _place(rows[0], nodes)
    for row in rows:
        _place(row, nodes)
    return rows


def _sorted_row(row, nodes, parents):
    """Keys by the mean position of their parents; among keys with the same parents' position,
    op nodes in the middle and leaves split to both sides, so that chains of ops run straight."""
    groups = {}
    for key in row:
        groups.setdefault(round(_mean(nodes[p].x for p in parents[key]), 6), []).append(key)
    ordered = []
    for _, group in sorted(groups.items()):
        ops = [key for key in group if nodes[key].kind != "leaf"]
        leaves = [key for key in group if nodes[key].kind == "leaf"]
        half = len(leaves) // 2
        ordered += leaves[:half] + ops + leaves[half:]
    return ordered


def _mean(values):
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _place(row, nodes):
    for slot, key in enumerate(row):
        nodes[key].x = slot - (len(row) - 1) / 2


def _render(nodes, rows):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width = max(len(row) for row in rows)
    figure = Figure(figsize=(max(3.0, COLUMN_WIDTH * width), max(1.5, ROW_HEIGHT * len(rows))))
    FigureCanvasAgg(figure)
    axis = figure.add_axes((0, 0, 1, 1))
    axis.set_xlim(-width / 2, width / 2)
    axis.set_ylim(-len(rows) + 0.5, 0.5)
    axis.axis("off")
    sizes = {key: _draw_box(axis, node) for key, node in nodes.items()}
    for key, node in nodes.items():
        for child in node.children:
            start, end = _clip_segment(node, nodes[child], sizes[key], sizes[child])
            axis.annotate("", xy=end, xytext=start, zorder=1,
                          arrowprops=dict(arrowstyle="-|>", color="#555555", lw=0.8, shrinkA=0, shrinkB=0))
    return figure


def _draw_box(axis, node):
    """Draw the node's label in its box; returns the box's half width and half height in data units."""
    color = {"root": ROOT_COLOR, "op": OP_COLOR}.get(node.kind, LEAF_COLOR)
    if node.kind == "leaf" and "no grad" in node.label:
        color = NOGRAD_COLOR
    style = "round,pad=0.3" if node.kind == "op" else "square,pad=0.3"
    text = axis.text(node.x, -node.layer, node.label, ha="center", va="center", fontsize=8, zorder=2,
                     bbox=dict(boxstyle=style, facecolor=color, edgecolor="#777777"))
    renderer = axis.figure.canvas.get_renderer()
    text.draw(renderer)  # places the box so that its size can be measured
    box = text.get_bbox_patch().get_window_extent(renderer).transformed(axis.transData.inverted())
    return box.width / 2, box.height / 2


def _clip_segment(source, target, source_size, target_size):
    """The segment between two node centres, cut where it leaves each box."""
    dx, dy = target.x - source.x, source.layer - target.layer

    def exit_fraction(size):
        limits = [size[0] / abs(dx) if dx else float("inf"), size[1] / abs(dy) if dy else float("inf")]
        return min(limits)

    start_t, end_t = exit_fraction(source_size), 1 - exit_fraction(target_size)
    point = lambda t: (source.x + t * dx, -source.layer + t * dy)  # noqa: E731
    return point(start_t), point(end_t)
