"""Publishing where authors are: the workflows lint clean, the system-package step picks the right
packages per platform (and never a browser for building), and the Pages build steps run as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def test_workflows_pass_actionlint_and_zizmor():
    lint = subprocess.run([str(BIN / "actionlint"), *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    audit = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona", "pedantic", ".github/workflows"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert audit.returncode == 0 and "No findings" in audit.stdout + audit.stderr, audit.stdout + audit.stderr


def test_every_action_is_pinned_to_a_commit_and_jobs_hold_least_permissions():
    for path in WORKFLOWS:
        flow = yaml.safe_load(path.read_text())
        assert flow["permissions"] == {}, f"{path.name}: no permissions at the top; each job asks for its own"
        for name, job in flow["jobs"].items():
            assert "permissions" in job and "timeout-minutes" in job, (path.name, name)
            for step in job["steps"]:
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    pages = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    assert pages["jobs"]["build"]["permissions"] == {"contents": "read"}


def _system_deps(tmp_path: Path, step: str, release: str, uname: str = "Linux") -> list[str]:
    """Run scripts/system-deps.sh against fake apt tools; return what it asked apt-get to install."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    log = tmp_path / "apt.log"
    log.write_text("")
    scripts = {
        "dpkg-query": "echo not-installed",  # nothing is installed
        "apt-cache": 'case "$2" in chromium) [ "$RELEASE_ID" = debian ] && echo "  Candidate: 1.0" || echo "  Candidate: (none)";; '
        '*) echo "  Candidate: 1.0";; esac',
        "apt-get": f'echo "$@" >> {log}',
        "sudo": '"$@"',
        "id": "echo 0",
    }
    for name, body in scripts.items():
        (fake / name).write_text(f"#!/bin/bash\n{body}\n")
        (fake / name).chmod(0o755)
    os_release = tmp_path / "os-release"
    os_release.write_text(release)
    rid = re.search(r"^ID=(\w+)", release, re.M)
    env = {
        **os.environ,
        "PATH": f"{fake}:{os.environ['PATH']}",
        "OS_RELEASE": str(os_release),
        "UNAME_S": uname,
        "RELEASE_ID": rid.group(1) if rid else "",
    }
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/system-deps.sh"), step], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return [line for line in log.read_text().splitlines() if line.startswith("install")]


def _packages(lines: list[str]) -> list[str]:
    words = [w for line in lines for w in line.split()]
    return [w for i, w in enumerate(words) if w != "install" and not w.startswith("-") and words[i - 1] != "-o"]


@pytest.mark.parametrize(
    "release, build, test",
    [
        ("ID=debian\n", ["fonts-dejavu-core", "dataset-fashion-mnist"], ["chromium"]),
        ("ID=ubuntu\nID_LIKE=debian\n", ["fonts-dejavu-core", "dataset-fashion-mnist"], []),
        ('ID=linuxmint\nID_LIKE="ubuntu debian"\n', ["fonts-dejavu-core", "dataset-fashion-mnist"], []),
        ("ID=fedora\n", [], []),
    ],
)
def test_system_packages_per_platform(tmp_path, release, build, test):
    installed = _system_deps(tmp_path, "build", release)
    assert _packages(installed) == build
    assert not any("chromium" in line for line in installed), "building never installs a browser"
    installed = _system_deps(tmp_path, "test", release)
    assert _packages(installed) == test


def test_optional_packages_never_fail_the_install(tmp_path):
    """apt-get failing (a lock, a mirror error) is a note, not a failed `make site`."""
    fake = tmp_path / "bin"
    _system_deps(tmp_path, "build", "ID=debian\n")  # writes the fake tools
    (fake / "apt-get").write_text("#!/bin/bash\nexit 100\n")
    os_release = tmp_path / "os-release"
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "OS_RELEASE": str(os_release), "UNAME_S": "Linux"}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/system-deps.sh"), "build"], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 0 and "going on without them" in done.stderr, done.stderr


def test_macos_needs_no_apt(tmp_path):
    assert _system_deps(tmp_path, "build", "", uname="Darwin") == []
    assert _system_deps(tmp_path, "test", "", uname="Darwin") == []


def test_make_site_installs_no_browser():
    plan = subprocess.run(["make", "-n", "-B", "site"], capture_output=True, text=True, cwd=ROOT)
    assert plan.returncode == 0, plan.stderr
    assert "system-deps.sh build" in plan.stdout
    assert "playwright" not in plan.stdout and "system-deps.sh test" not in plan.stdout and "[test]" not in plan.stdout
