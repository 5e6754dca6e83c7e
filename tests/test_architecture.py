"""The folders tell the architecture, and these rules keep them telling it: imports run one way (data → models →
predict and training → learn, benchmark and room → cli; dashboard → core; pages → dashboard), no two modules import
each other even through others, and no module grows past what one reading holds."""

import ast
from pathlib import Path

import pytest
from conftest import REPOSITORY

LAYERS = {"settings": 0, "json_text": 0, "number_text": 0, "data": 1, "models": 2, "predict": 3, "training": 3,
          "learn": 4, "benchmark": 4, "room": 4, "cli": 5, "__main__": 6}
"""Each part of `core` by its layer: a module may import its own layer's parts and the layers below."""
LONGEST_MODULE = 400
LONGEST_PAGE = 90
MOST_TOP_LEVEL_CORE_MODULES = 6


def module_name(path: Path) -> str:
    parts = path.relative_to(REPOSITORY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (REPOSITORY / folder).rglob("*.py"))


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The project modules `path` imports, at its top or inside functions (`from core.data import store` counts as
    `core.data.store`)."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module)
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in imported if name in known}


def import_graph(*folders: str) -> dict[str, set[str]]:
    files = {module_name(path): path for path in python_files(*folders)}
    return {name: imported_modules(path, set(files)) - {name} for name, path in files.items()}


def layer_of(module: str) -> int:
    return LAYERS[module.split(".")[1]]


def test_core_imports_run_down_the_layers_only():
    upward = [f"{module} imports {imported}" for module, imports in import_graph("core").items()
              if module != "core" for imported in imports if imported != "core"
              if layer_of(imported) > layer_of(module)]
    assert not upward, upward


def test_no_module_imports_itself_through_others():
    graph = import_graph("core", "dashboard", "pages")
    circles = []

    def visit(module: str, path: list[str]) -> None:
        for imported in graph[module]:
            if imported == path[0]:
                circles.append(" → ".join([*path, imported]))
            elif imported not in path and imported > path[0]:  # Each circle once, from its smallest module.
                visit(imported, [*path, imported])

    for start in graph:
        visit(start, [start])
    assert not circles, circles


@pytest.mark.parametrize(("folder", "forbidden"), [("core", ("dashboard", "pages", "streamlit")),
                                                   ("dashboard", ("pages",))])
def test_a_lower_part_never_imports_a_higher_one(folder, forbidden):
    wrong = []
    for path in python_files(folder):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            wrong += [f"{module_name(path)} imports {name}" for name in names if name.split(".")[0] in forbidden]
    assert not wrong, wrong


def test_modules_stay_short_enough_to_read_in_one_go():
    long_modules = [f"{module_name(path)}: {lines} lines" for path in python_files("core", "dashboard")
                    if (lines := len(path.read_text().splitlines())) > LONGEST_MODULE]
    long_pages = [f"{path.name}: {lines} lines" for path in python_files("pages")
                  if (lines := len(path.read_text().splitlines())) >= LONGEST_PAGE]
    assert not long_modules and not long_pages, long_modules + long_pages


def test_core_is_folders_with_a_few_modules_beside_them():
    top_level = sorted(path.name for path in (REPOSITORY / "core").glob("*.py"))
    packages = sorted(path.parent.name for path in (REPOSITORY / "core").glob("*/__init__.py"))
    assert len(top_level) <= MOST_TOP_LEVEL_CORE_MODULES, top_level
    assert set(packages) == {name for name, layer in LAYERS.items() if 1 <= layer <= 4}, packages
