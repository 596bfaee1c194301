"""Promises the project makes about itself: README commands, CI, and no demo data in code."""

import re
import subprocess

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SETUP = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]


def commands() -> list[str]:
    return [line.strip() for line in SETUP.splitlines() if line.startswith("    ")]


def test_readme_has_exactly_two_setup_commands():
    assert len(commands()) == 2
    install_and_run, install_and_test = commands()
    assert install_and_run.startswith("python3 -m venv .venv && ")
    assert install_and_test.endswith(".venv/bin/pytest")


def test_ci_runs_the_readme_test_command_word_for_word():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = commands()[1]
    assert re.search(r"^" + re.escape(test_command) + r"$", ci, re.MULTILINE)


def test_code_names_nothing_from_the_demo_page():
    """The loader must work on any page: names from the demo belong in content/ and tests."""
    page = (ROOT / "content" / "000_20e2c56e6a147bfe.txt").read_text(encoding="utf-8")
    names = set(re.findall(r"(?:记者|通讯员) (\S{2,3})", page))
    places = {"郑东", "郑州", "东区"}
    code = [*(ROOT / "feeds").rglob("*.py"), ROOT / "scheduler.py"]
    for path in code:
        if path.exists():
            text = path.read_text(encoding="utf-8")
            found = [n for n in names | places if n in text]
            assert not found, f"{path.relative_to(ROOT)} names {found}"


def test_ruff_is_clean():
    ruff = ROOT / ".venv" / "bin" / "ruff"
    run = subprocess.run([str(ruff) if ruff.exists() else "ruff", "check", "--quiet", str(ROOT)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
