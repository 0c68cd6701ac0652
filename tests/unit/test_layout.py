"""The package's folders are its architecture: data flows ingest → index → answer → api → ui, eval drives
them from outside. Every import statement in the package is read with `ast` (function-level and
TYPE_CHECKING imports included) and checked against that order."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "vnpolicy"
# A folder may import from its own layer and the ones before it, never from a later one.
LAYERS = ("ingest", "index", "answer", "api", "ui")
OUTSIDE = "eval"  # drives the layers; no layer imports it


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every vnpolicy module that `path` names in an import statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    return {name for name in found if name in modules}


def source_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_no_import_runs_from_a_layer_to_a_later_one_or_into_eval() -> None:
    wrong = []
    for path in source_files():
        here = layer_of(module_name(path))
        for target in imported_modules(path):
            there = layer_of(target)
            if here not in LAYERS or there is None:
                continue
            if there == OUTSIDE or (there in LAYERS and LAYERS.index(there) > LAYERS.index(here)):
                wrong.append(f"{module_name(path)} imports {target}")
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_no_two_modules_import_each_other() -> None:
    graph = {module_name(path): imported_modules(path) for path in source_files()}
    circles = sorted(
        f"{a} ↔ {b}" for a, targets in graph.items() for b in targets
        if a < b and a in graph.get(b, set()) and not (a.startswith(b + ".") or b.startswith(a + "."))
    )
    assert not circles, "modules that import each other:\n" + "\n".join(circles)


def test_every_layer_exists_and_eval_is_outside() -> None:
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()} == {*LAYERS, OUTSIDE}


@pytest.mark.parametrize("name", ["api", "index", "ingest", "eval", "ui", "answer"])
def test_the_installed_project_claims_no_top_level_name_but_vnpolicy(name: str, tmp_path: Path) -> None:
    # -I: no current directory, no PYTHONPATH; only what `pip install` put into the environment.
    argv = [sys.executable, "-I", "-c", f"import {name}"]
    result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr


def test_the_installed_project_imports_as_vnpolicy_and_runs(tmp_path: Path) -> None:
    code = "import vnpolicy.index, vnpolicy.ingest, vnpolicy.answer, vnpolicy.api; print(vnpolicy.index.__name__)"
    result = subprocess.run([sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    command = Path(sys.executable).parent / "vnpolicy"
    for argv in ([str(command), "--help"], [sys.executable, "-I", "-m", "vnpolicy", "--help"]):
        shown = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)
        assert shown.returncode == 0 and "ingest" in shown.stdout and "search" in shown.stdout, shown.stderr


def test_the_wheel_holds_only_the_vnpolicy_package(tmp_path: Path) -> None:
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path)]
    subprocess.run([*build, str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("vnpolicy-*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"vnpolicy"}
    names = zipfile.ZipFile(wheel).namelist()
    shipped = ("vnpolicy/ui/static/index.html", "vnpolicy/eval/data/dev.jsonl", "vnpolicy/answer/support_model.json",
               "vnpolicy/ingest/data/syllable_counts.tsv.gz")
    assert set(shipped) <= set(names), set(shipped) - set(names)
