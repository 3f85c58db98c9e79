"""``nn.Parameter``: a Tensor that a Module registers as learnable."""
from minigrad.serialization import register_tensor_class
from minigrad.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and is found by ``Module.parameters()``.

    ``Parameter(tensor)`` shares the tensor's storage, as in PyTorch.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = Tensor([])
        source = data if isinstance(data, Tensor) else Tensor(data)
        self.array = source.array
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None
        self._version_counter = source._version_counter
        self.requires_grad = requires_grad

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__


register_tensor_class(Parameter)  # so minigrad.load gives back Parameters (minigrad never imports nn)
