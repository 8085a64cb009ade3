"""Packaging: pyproject.toml and requirements.txt name the same dependencies, and the
installed ``labelbridge`` command is the same command line as ``python -m core``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib

from helpers import REPO


def requirement_lines(path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("-r")]


def test_pyproject_and_requirements_name_the_same_dependencies():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert sorted(declared) == sorted(requirement_lines(REPO / "requirements.txt"))


def test_torch_is_pinned_to_the_cpu_release():
    assert "torch==2.13.0" in requirement_lines(REPO / "requirements.txt")


def test_the_gpl_aligner_is_a_test_dependency_only():
    assert not any(line.startswith("simalign") for line in requirement_lines(REPO / "requirements.txt"))
    assert any(line.startswith("simalign") for line in requirement_lines(REPO / "requirements-dev.txt"))


def test_labelbridge_command_matches_python_m_core():
    command = shutil.which("labelbridge")
    assert command is not None, "the labelbridge command is not installed (pip install -e . installs it)"
    installed = subprocess.run([command, "project", "--help"], capture_output=True, text=True, check=True)
    module = subprocess.run(
        [sys.executable, "-m", "core", "project", "--help"], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert installed.stdout.startswith("usage: labelbridge project")
    options = lambda text: sorted(set(re.findall(r"--[a-z][a-z-]*", text)))  # noqa: E731
    assert options(installed.stdout) == options(module.stdout) and len(options(module.stdout)) > 10
