"""The code stays as ruff.toml asks: lint rules and formatting."""

import subprocess
import sys

from offline.harness import PROJECT_DIR


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing_to_fix():
    done = ruff("check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_code_is_formatted():
    done = ruff("format", "--check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr
