"""pyproject.toml is the single source of dependencies; environment.yml must mirror it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _normalise(spec: str) -> tuple[str, frozenset[str], str]:
    req = Requirement(spec)
    return req.name.lower().replace("_", "-"), frozenset(req.extras), str(req.specifier)


def _pyproject_requirements(extras: tuple[str, ...]) -> set[tuple]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in extras:
        specs += project["optional-dependencies"][extra]
    return {_normalise(s) for s in specs}


def _environment_requirements() -> set[tuple]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {_normalise(s) for s in pip_section if not s.startswith("-e")}


def test_environment_yml_mirrors_pyproject_runtime_spark_test_and_peer_dependencies():
    expected = _pyproject_requirements(("spark", "test", "peers"))
    found = _environment_requirements()
    assert found - expected == set(), "environment.yml lists packages pyproject.toml does not"
    assert expected - found == set(), "pyproject.toml lists packages environment.yml lacks"


def test_environment_yml_pins_the_python_of_the_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert Requirement(f"python{project['requires-python']}").specifier.contains(python.split("=", 1)[1] + ".0")


def test_console_script_points_at_the_cli():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["journeyviz"] == "journeyviz.cli:main"
