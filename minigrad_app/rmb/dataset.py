"""The tutorial's ``RMBDataset``: an image folder with the classes ``1`` and ``100``."""
from data import ImageFolder

RMB_LABELS = {"1": 0, "100": 1}


class RMBDataset(ImageFolder):
    """The tutorial's banknote dataset: ``data_dir/1/*`` has label 0 (1 yuan) and
    ``data_dir/100/*`` label 1 (100 yuan). Options as ImageFolder's (draft, cache, skip_bad)."""

    def __init__(self, data_dir, transform=None, **options):
        super().__init__(data_dir, transform, class_to_idx=RMB_LABELS, **options)
        self.data_dir = self.root
        self.label_name = dict(RMB_LABELS)
        self.data_info = self.samples  # the tutorial's attribute name
