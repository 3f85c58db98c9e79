"""``nn.Parameter``: a Tensor that a Module registers as learnable."""
from minigrad.engine import Tensor, _initialize
from minigrad.factories import tensor
from minigrad.printing import tensor_repr
from minigrad.serialization import register_tensor_class


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and is found by ``Module.parameters()``.

    ``Parameter(tensor)`` shares the tensor's storage (and version counter), as in PyTorch.
    """

    def __new__(cls, data=None, requires_grad=True):
        source = data if isinstance(data, Tensor) else tensor([] if data is None else data)
        parameter = _initialize(object.__new__(cls), source.array)
        parameter._version_counter = source._version_counter
        parameter.requires_grad = requires_grad
        return parameter

    def __init__(self, data=None, requires_grad=True):
        """Everything happens in ``__new__``."""

    def __repr__(self):
        return "Parameter containing:\n" + tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return Parameter, (Tensor._wrap(self.array.copy()), self.requires_grad)


register_tensor_class(Parameter)  # so minigrad.load gives back Parameters (minigrad never imports nn)
