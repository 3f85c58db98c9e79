"""The differentiable ops, grouped by family; each is a small ``Op`` class."""
