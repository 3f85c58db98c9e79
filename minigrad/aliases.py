"""``minigrad.nn``, ``minigrad.optim``, ``minigrad.utils.data``...: the top-level packages under
PyTorch's names, so that ``import minigrad as torch`` is enough for a lesson.

minigrad never imports those packages itself (they are built on it): an import finder resolves
the names only when a user asks for them, and hands back the very same module objects.
"""
import importlib
import importlib.abc
import importlib.util
import sys

ALIASES = {"minigrad.nn": "nn", "minigrad.optim": "optim", "minigrad.utils.data": "data"}


def target_of(fullname):
    """The module name ``fullname`` stands for (``minigrad.nn.functional`` -> ``nn.functional``), or None."""
    for alias, target in ALIASES.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return target + fullname[len(alias):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        """The target module ran when it was imported."""


class AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        name = target_of(fullname)
        if name is None:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(name))


def install():
    if not any(isinstance(finder, AliasFinder) for finder in sys.meta_path):
        sys.meta_path.append(AliasFinder())


def resolve(package, name):
    """The aliased module ``package.name`` (for attribute access like ``minigrad.nn``)."""
    target = target_of(f"{package}.{name}")
    if target is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return importlib.import_module(f"{package}.{name}")
