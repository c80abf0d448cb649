"""The Python code is ruff-clean: lint and format, with the configuration of pyproject.toml."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"


def _ruff(*args):
    return subprocess.run([str(RUFF), *args], capture_output=True, text=True, cwd=REPO)


def test_ruff_check_reports_nothing():
    result = _ruff("check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_files_are_formatted_with_ruff():
    result = _ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
