"""The name of the detector `aaie train detector` builds (written into its card).

Kept out of train.py and the other modules whose bytes key the cached style fit
(`train._code_hash`): renaming a model must not throw away a 25-40 minute fit.
"""

MODEL_VERSION = "detector-11"
