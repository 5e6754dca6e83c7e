"""Keras Lab's UI-free library: datasets, model specs and presets, training runs, inference and the CLI.

Importing `core` is cheap: modules that need Keras import it themselves, when they are used.
"""
