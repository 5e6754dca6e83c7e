"""The folder of saved benchmark results: one JSON file each, outside the repository, where the Benchmark page
lists them."""

from __future__ import annotations

import json
from pathlib import Path

from core.benchmark.results import BenchmarkResult, result_from_dict, result_to_json
from core.settings import data_directory
from core.training.storage import RUN_ID_PATTERN


class ResultStore:
    """Benchmark results kept as one JSON file each under a folder outside the repository."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else data_directory() / "benchmarks"

    def path(self, result_id: str) -> Path:
        if not isinstance(result_id, str) or not RUN_ID_PATTERN.fullmatch(result_id):
            raise ValueError(f"{result_id!r} is not a result id (they look like 20261123-181500-3fa9c1).")
        return self.root / f"{result_id}.json"

    def save(self, result: BenchmarkResult) -> Path:
        path = self.path(result.result_id)
        self.root.mkdir(parents=True, exist_ok=True)
        path.write_text(result_to_json(result))
        return path

    def list(self) -> list[BenchmarkResult]:
        """The results kept here, newest first; a file that cannot be read is left out rather than break the page."""
        if not self.root.is_dir():
            return []
        results = []
        for path in self.root.glob("*.json"):
            try:
                results.append(result_from_dict(json.loads(path.read_text()), source=None))
            except (OSError, ValueError, RecursionError):
                continue
        return sorted(results, key=lambda result: (result.created_at, result.result_id), reverse=True)

    def delete(self, result_id: str) -> None:
        self.path(result_id).unlink(missing_ok=True)
