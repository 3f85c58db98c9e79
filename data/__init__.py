"""minigrad.data: datasets, samplers, the DataLoader, image transforms and the RMB banknote tools."""
from data import rmb, transforms
from data.dataloader import DataLoader, default_collate, get_worker_info
from data.dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from data.folder import ImageFolder, RMBDataset, load_image
from data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                          WeightedRandomSampler)
from data.transforms import transform_invert

__all__ = ["rmb", "transforms", "DataLoader", "default_collate", "get_worker_info", "Dataset", "TensorDataset",
           "Subset", "ConcatDataset", "random_split", "ImageFolder", "RMBDataset", "load_image", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler", "WeightedRandomSampler",
           "transform_invert"]
