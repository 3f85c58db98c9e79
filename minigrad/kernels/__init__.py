"""Fast array kernels behind the ops' math: cache blocking and reused scratch memory live here,
so that ``minigrad/ops`` reads as the math alone. Every kernel takes and returns arrays."""
