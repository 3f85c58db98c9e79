"""Walk the graph autograd recorded: grad_fn, next_functions and the AccumulateGrad leaves."""
import minigrad as torch
import minigrad.nn.functional as F

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor([0.5, -1.0, 0.25], requires_grad=True)
c = a * b
d = c.exp() + a
e = d.sum()
print(c)
print(e)


def walk(node, depth=0):
    print("  " * depth + type(node).__name__)
    for child, _ in node.next_functions:
        if child is not None:
            walk(child, depth + 1)


walk(e.grad_fn)
leaf_node = c.grad_fn.next_functions[0][0]
print(type(leaf_node).__name__, leaf_node.variable is a)
print(a.is_leaf, c.is_leaf, a.grad_fn, c.requires_grad)

target = torch.tensor([1.0, 0.0, 0.0])
loss = F.mse_loss(d, target)
print(type(loss.grad_fn).__name__, [type(n).__name__ for n, _ in loss.grad_fn.next_functions if n is not None])
log_probs = F.log_softmax(d.unsqueeze(0), dim=1)
print(type(F.nll_loss(log_probs, torch.tensor([2])).grad_fn).__name__)
e.backward()
print(a.grad, b.grad)
