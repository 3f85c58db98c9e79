"""The data pipeline: datasets, samplers, the DataLoader, image transforms and image folders,
with PyTorch's and torchvision's names."""
from data import functional_transforms, transforms
from data.dataloader import DataLoader, default_collate, default_convert, get_worker_info
from data.dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from data.folder import IMAGE_EXTENSIONS, ImageFolder, load_image
from data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                          WeightedRandomSampler)
from data.transforms import transform_invert

__all__ = ["transforms", "functional_transforms", "DataLoader", "default_collate", "default_convert",
           "get_worker_info", "Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split",
           "IMAGE_EXTENSIONS", "ImageFolder", "load_image", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "BatchSampler", "WeightedRandomSampler", "transform_invert"]
