"""A learner's own files: one module per format (npz, IDX, CSV, image zips), the checks every loader shares, and
the archive safety any zip passes first (model files reuse it)."""
