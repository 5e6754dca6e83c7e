"""Models: the `ModelSpec` that describes one, its layers and presets, edits, the analysis of shapes and
refusals, building it in Keras, its inputs, reading a .keras back, safe model files, export and share links."""
