"""The wheel works anywhere: what a user, pipx or a distribution does with KPI Desk.

A fresh clone of this checkout (the files git knows, nothing built, no ``.mo``) is built
with ``python -m build``, which makes the sdist and then the wheel *from the sdist*. The
wheel goes into a new virtual environment, and the installed ``kpidesk`` runs from a folder
outside the checkout: the self-test, Swedish under ``--lang sv``, the KPI library.

Needs pip to reach the package index (the build requirements and KPI Desk's dependencies;
pip's download cache makes it quick): without a network the tests are skipped and say so.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import kpidesk

ROOT = Path(__file__).resolve().parents[2]
VERSION = kpidesk.__version__
RESOURCES = "src/kpidesk/resources"
CATALOGUE = f"{RESOURCES}/locale/sv/LC_MESSAGES/kpidesk.po"
# What pip prints when it cannot reach the index; any other failure is a real one.
NETWORK_ERRORS = (
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Max retries exceeded",
    "ConnectTimeoutError",
)


@dataclass(frozen=True)
class Installed:
    clone: Path  # the fresh clone the build started from
    sdist: Path
    wheel: Path
    venv: Path  # the new virtual environment the wheel is installed in
    elsewhere: Path  # an empty folder outside the checkout: the working directory
    env: dict[str, str]

    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin")

    def kpidesk(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return self.run([str(self.bin / "kpidesk"), *args], timeout=timeout)

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return self.run([str(self.bin / "python"), "-c", code])

    def run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            cwd=self.elsewhere,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )


def _index_url() -> str:
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"]
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    ).stdout
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        if key.endswith(".index-url") and not key.endswith("extra-index-url"):
            return value.strip().strip("'\"").split()[0]
    return "https://pypi.org/simple"


def _skip_without_network() -> None:
    url = urlsplit(_index_url())
    if url.scheme not in ("http", "https") or not url.hostname:
        return
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname, port), timeout=5).close()
    except OSError as error:
        pytest.skip(f"no network: pip cannot reach the package index {url.hostname} ({error})")


def _run_or_skip(args: list[str], what: str, **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if any(sign in output for sign in NETWORK_ERRORS):
            pytest.skip(f"no network: {what} could not reach the package index")
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{output[-4000:]}")
    return done


def _fresh_clone(target: Path) -> Path:
    """The files a clone of this checkout would have: tracked ones and new ones not ignored."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: there is no clone to build from")
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    _skip_without_network()
    work = tmp_path_factory.mktemp("wheel")
    clone = _fresh_clone(work / "clone")
    dist = work / "dist"
    _run_or_skip(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(clone)],
        "python -m build",
        cwd=work,
    )
    sdist = dist / f"kpidesk-{VERSION}.tar.gz"
    wheel = dist / f"kpidesk-{VERSION}-py3-none-any.whl"
    assert sorted(p.name for p in dist.iterdir()) == sorted([sdist.name, wheel.name])

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run_or_skip(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", str(wheel)],
        "pip install of the wheel",
    )
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        QT_QPA_PLATFORM="offscreen", KPIDESK_HOME=str(work / "home"), LANGUAGE="en", LC_ALL="C"
    )
    return Installed(clone, sdist, wheel, venv, elsewhere, env)


def _normalised(text: str) -> str:
    return " ".join(text.split())


# What the build made -------------------------------------------------------------------------


def test_the_sdist_holds_the_sources_the_resources_and_the_catalogues(installed):
    with tarfile.open(installed.sdist) as archive:
        prefix = f"kpidesk-{VERSION}/"
        names = {m.name.removeprefix(prefix) for m in archive.getmembers() if m.isfile()}
    package = {
        p.relative_to(installed.clone).as_posix()
        for p in (installed.clone / "src" / "kpidesk").rglob("*")
        if p.is_file()
    }
    assert package - names == set(), "files of the package missing from the sdist"
    for needed in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", CATALOGUE):
        assert needed in names
    assert f"{RESOURCES}/locale/kpidesk.pot" in names
    assert not [name for name in names if name.endswith(".mo")], "compiled catalogues shipped"


def test_the_wheel_holds_the_resources_and_the_compiled_catalogues(installed):
    with zipfile.ZipFile(installed.wheel) as archive:
        names = set(archive.namelist())
        metadata = Parser().parsestr(
            archive.read(f"kpidesk-{VERSION}.dist-info/METADATA").decode("utf-8")
        )
    assert metadata["Version"] == VERSION
    assert metadata["Requires-Python"] == ">=3.12"
    resources = installed.clone / RESOURCES
    for path in resources.rglob("*"):
        if path.is_file() and path.suffix not in (".po", ".pot"):
            assert f"kpidesk/resources/{path.relative_to(resources).as_posix()}" in names
    # the sdist has no .mo: the wheel's was compiled by the build, from the sdist's .po
    assert "kpidesk/resources/locale/sv/LC_MESSAGES/kpidesk.mo" in names
    assert not [name for name in names if name.endswith((".po", ".pot"))]


# The installed KPI Desk, run from elsewhere ---------------------------------------------------


def test_it_runs_from_the_new_environment_not_the_checkout(installed):
    done = installed.python(
        "import kpidesk, kpidesk.paths; print(kpidesk.__file__); "
        "print(kpidesk.paths.resources_dir())"
    )
    assert done.returncode == 0, done.stderr
    package, resources = (Path(line).resolve() for line in done.stdout.splitlines())
    venv = installed.venv.resolve()
    assert venv in package.parents and venv in resources.parents
    assert resources == package.parent / "resources"


def test_the_version_agrees_with_the_wheel(installed):
    done = installed.kpidesk("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"KPI Desk {VERSION}"


def test_the_self_test_passes(installed):
    done = installed.kpidesk("--self-test", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("self-test ok")


def test_messages_are_swedish_under_lang_sv(installed):
    from babel.messages.pofile import read_po

    with (installed.clone / CATALOGUE).open("rb") as stream:
        catalogue = read_po(stream, locale="sv")
    english = _normalised(installed.kpidesk("--lang", "en", "--help").stdout)
    swedish = _normalised(installed.kpidesk("--lang", "sv", "--help").stdout)
    translated = [
        (message.id, message.string)
        for message in catalogue
        if isinstance(message.id, str)
        and len(message.id) > 12
        and message.string
        and message.string != message.id
        and _normalised(message.id) in english
    ]
    assert len(translated) >= 5, "the English help should show the app's own messages"
    for source, swedish_text in translated:
        assert _normalised(swedish_text) in swedish, swedish_text
        assert _normalised(source) not in swedish, source
    # an error message: the installed app says what the checkout says, in Swedish
    missing = installed.elsewhere / "missing.kpidesk"
    from_wheel = installed.kpidesk("--lang", "sv", "check", str(missing))
    in_english = installed.kpidesk("--lang", "en", "check", str(missing))
    from_checkout = subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", "--lang", "sv", "check", str(missing)],
        capture_output=True,
        text=True,
        cwd=installed.elsewhere,
    )
    assert from_wheel.returncode == in_english.returncode == from_checkout.returncode != 0
    assert from_wheel.stderr == from_checkout.stderr != in_english.stderr


def test_the_kpi_library_is_found(installed):
    from kpidesk.domain.kpi_library import load_library

    done = installed.python(
        "from kpidesk.domain.kpi_library import default_library_path, load_library\n"
        "library = load_library()\n"
        "print(default_library_path())\n"
        "print(len(library.entries), len(library.groups))\n"
        "print(library.entries[0].name('sv'))"
    )
    assert done.returncode == 0, done.stderr
    path, counts, first_name = done.stdout.splitlines()
    assert installed.venv.resolve() in Path(path).resolve().parents
    ours = load_library()
    assert counts == f"{len(ours.entries)} {len(ours.groups)}"
    assert first_name == ours.entries[0].name("sv")
