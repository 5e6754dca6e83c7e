"""A server that starts a spiral run on the Ray cluster at RAY_ADDRESS, says the run's id once the run's record in
the folder given holds a few epochs, and then waits to be killed, as a dashboard server that crashes mid-run.

    python tests/training/ray_server_that_dies.py RUNS_FOLDER [ABANDONED_SECONDS]
"""

import json
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from run_support import start_spiral  # noqa: E402

from core.training.ray_actor import ABANDONED_SECONDS  # noqa: E402
from core.training.ray_executor import RayExecutor  # noqa: E402
from core.training.registry import RunRegistry  # noqa: E402
from core.training.storage import RunStorage  # noqa: E402


def main() -> None:
    storage = RunStorage(Path(sys.argv[1]))
    abandoned_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else ABANDONED_SECONDS
    registry = RunRegistry(storage, executor=RayExecutor(abandoned_seconds=abandoned_seconds))
    run = start_spiral(registry, epochs=1_000_000)
    record_file = storage.folder(run.run_id) / "run.json"
    while not record_file.is_file() or len(json.loads(record_file.read_text())["history"]["epochs"]) < 3:
        if not run.is_active:
            raise SystemExit(f"the run ended before the server could die: {run.message}")
        time.sleep(0.1)
    print(run.run_id, flush=True)
    time.sleep(3600)


if __name__ == "__main__":
    main()
