"""Bad sizes for the image transforms are refused by the constructor, not by Pillow on the first
image (issue 17, item 5)."""
import pytest
from PIL import Image

from data import transforms


# ---- Resize sizes: refused by the constructor, not by Pillow on the first image ----------------

@pytest.mark.parametrize("size", [0, -5, (0, 3), (3, -1), [0], 2.5, (2.5, 3), True],
                         ids=["zero", "minus-5", "zero-height", "negative-width", "list-zero", "float", "float-pair",
                              "bool"])
def test_resize_refuses_a_size_that_is_not_positive(size):
    error = TypeError if isinstance(size, float) else ValueError
    with pytest.raises(error, match="[Ss]ize should be"):
        transforms.Resize(size)


@pytest.mark.parametrize("size, expected", [(1, (1, 1)), ((3, 5), (5, 3)), ([7], (7, 7))],
                         ids=["one", "pair", "list-of-one"])
def test_resize_keeps_accepting_positive_sizes(size, expected):
    assert transforms.Resize(size)(Image.new("RGB", (10, 10))).size == expected
