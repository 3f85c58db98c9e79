"""What the application's tests share: a small set of synthetic notes, drawn once per module."""
import pytest

from minigrad_app.rmb import tools as rmb


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    """Class folders 1/ and 100/ of 10 synthetic notes each (16 training images after the split)."""
    folder = tmp_path_factory.mktemp("notes")
    rmb.synthesize(folder, n_per_class=10, seed=0)
    return folder
