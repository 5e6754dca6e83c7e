"""Training: a run and its states, the registry that queues and watches runs, `train_model` with its live
callback, history, storage on disk, sweeps, divergence and failure explanations."""
