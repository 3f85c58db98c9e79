"""``minigrad.utils.data`` is the ``data`` package (see ``minigrad.aliases``)."""
from minigrad import aliases


def __getattr__(name):
    return aliases.resolve(__name__, name)
