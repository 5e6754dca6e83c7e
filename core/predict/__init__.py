"""Predictions: inference on a trained model, whole-test-set scores, a look inside (activations, saliency),
decision regions, and digits drawn or photographed turned into MNIST-style inputs."""
