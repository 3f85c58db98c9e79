"""The RMB banknotes: drawing and photographing synthetic notes, the split and sample tools, the
tutorial's RMBDataset and the main job's loaders."""
