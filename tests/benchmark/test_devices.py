"""Device discovery on this machine, asked of the framework in a subprocess so this process never starts CUDA."""

from core.benchmark.devices import discover_devices, no_gpu_explanation


def test_a_machine_without_gpus_says_why_and_what_to_install():
    report = discover_devices()
    assert report.cpu and report.cores >= 1
    assert report.backends["tensorflow"] != "not installed"
    if report.gpus:  # A machine with a GPU explains nothing; this test is about the others.
        assert report.explanation == ""
        return
    assert report.explanation.startswith("No NVIDIA driver") or "sees no GPU" in report.explanation
    assert 'pip install "tensorflow[and-cuda]"' in report.explanation


def test_each_backend_gets_its_own_reason():
    versions = {"tensorflow": "2.21.0", "jax": "0.6.0", "torch": "not installed"}
    probes = {"tensorflow": {"built_with_cuda": False, "gpus": []},
              "jax": {"error": "asking jax for its GPUs took longer than 60 s"}}
    explanation = no_gpu_explanation(versions, probes)
    assert "tensorflow 2.21.0 is a CPU-only build" in explanation
    assert "asking jax for its GPUs took longer than 60 s." in explanation
    assert 'torch is not installed (for GPUs: pip install torch' in explanation
