"""Accepted and ignored: minigrad's kernels are deterministic and do no autotuning."""
deterministic = False
benchmark = False
enabled = True


def is_available():
    return False
