"""Where the v6 scorer artifact's pickles look for `PackedTrees` (the class is shared with the
detector and lives in `engine.trees`)."""

from aaie.engine.trees import PackedTrees

__all__ = ["PackedTrees"]
