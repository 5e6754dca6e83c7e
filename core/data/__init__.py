"""Datasets: the `Dataset` every page and run shares, the built-in and Keras-cached ones, uploads in every format
Keras Lab reads (with their archive safety) and the store of kept uploads. Imports nothing above it."""
