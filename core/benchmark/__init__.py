"""The GPU vs CPU benchmark: a plan checked before it runs, a runner with one subprocess per device, the
worker inside it, the devices found, results and their store."""
