"""``minigrad.Size``: a tensor's shape."""


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``minigrad.Size([6, 1, 5, 5])``."""

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def numel(self):
        count = 1
        for n in self:
            count *= n
        return count
