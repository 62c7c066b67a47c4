"""The installer recipes agree with the project and with each other (fast; no bundle is built).

The real build is ``make installer``; here: the spec compiles and names files that exist,
the icons, the .desktop entry and the MIME type are sound, and the Windows, macOS and CI
recipes register the same file type and run the self-test.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "kpidesk.spec"
RESOURCES = ROOT / "src" / "kpidesk" / "resources"
DESKTOP = RESOURCES / "kpidesk.desktop"
MIME_XML = RESOURCES / "kpidesk-mime.xml"
ISS = INSTALLER / "windows" / "kpidesk.iss"
WORKFLOW = ROOT / ".github" / "workflows" / "build.yml"
MIME_TYPE = "application/x-kpidesk"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_icons():
    return load(INSTALLER / "make_icons.py")


# The PyInstaller spec -----------------------------------------------------------------------


def test_the_spec_compiles_and_names_files_that_exist():
    source = SPEC.read_text("utf-8")
    compile(source, str(SPEC), "exec")
    assert '"kpidesk_main.py"' in source and (INSTALLER / "kpidesk_main.py").is_file()
    for relative in ("icons/kpidesk.svg", "kpi_library.json", "icons/lucide"):
        assert (RESOURCES / relative).exists(), relative
    assert (RESOURCES / "locale" / "sv" / "LC_MESSAGES" / "kpidesk.po").is_file()
    # where the frozen app's importlib.resources looks: sys._MEIPASS/kpidesk/resources
    assert 'RESOURCES = ROOT / "src" / "kpidesk" / "resources"' in source
    assert 'BUNDLED_RESOURCES = Path("kpidesk") / "resources"' in source
    assert "str(BUNDLED_RESOURCES / relative)" in source
    assert 'copy_metadata("kpidesk")' in source
    assert re.search(r"KEEP_QT_TRANSLATIONS = \{[^}]*\"qtbase_sv\.qm\"", source)


def test_every_recipe_names_files_by_the_packages_version():
    import kpidesk

    version_script = load(INSTALLER / "project_version.py")
    assert version_script.project_version() == kpidesk.__version__
    printed = subprocess.run(
        [sys.executable, str(INSTALLER / "project_version.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert printed.stdout.strip() == kpidesk.__version__
    source = SPEC.read_text("utf-8")
    assert "VERSION = project_version()" in source
    assert 'importlib.metadata.version("kpidesk")' in source  # the bundled metadata agrees
    assert "version = project_version()" in (INSTALLER / "check_bundle.py").read_text("utf-8")
    for recipe in ("linux/build.sh", "macos/build.sh"):
        text = (INSTALLER / recipe).read_text("utf-8")
        line = next(x for x in text.splitlines() if x.startswith("VERSION="))
        assert line == 'VERSION=$("$PYTHON" installer/project_version.py)', recipe
        said = subprocess.run(
            ["bash", "-c", f'{line}; echo "$VERSION"'],
            env={**os.environ, "PYTHON": sys.executable},
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        assert said.stdout.strip() == kpidesk.__version__, recipe
        assert "$VERSION" in text.split("VERSION=", 1)[1], recipe
    windows = (INSTALLER / "windows" / "build.ps1").read_text("utf-8")
    assert "$version = python installer\\project_version.py" in windows
    assert '"/DAppVersion=$version"' in windows
    assert "dist\\kpidesk-$version-windows-x64-setup.exe" in windows


def test_the_installer_extra_stays_out_of_dev():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    extras = project["project"]["optional-dependencies"]
    assert any(req.startswith("pyinstaller") for req in extras["installer"])
    assert not any(req.startswith("pyinstaller") for req in extras["dev"])


def test_the_frozen_entry_point_speaks_the_reader_flag():
    entry = load(INSTALLER / "kpidesk_main.py")
    process = pytest.importorskip("kpidesk.io._process")
    assert entry.READER_FLAG == process.READER_FLAG


def test_the_spec_keeps_the_qt_modules_the_app_imports():
    source = SPEC.read_text("utf-8")
    excluded = set(re.findall(r'"(PySide6\.Qt\w+)"', source.split("excludes = [", 1)[1]))
    used = set()
    for path in (ROOT / "src" / "kpidesk").rglob("*.py"):
        used |= set(re.findall(r"from PySide6\.(Qt\w+) import", path.read_text("utf-8")))
        used |= set(re.findall(r"from PySide6 import ([\w, ]+)", path.read_text("utf-8")))
    used = {f"PySide6.{name.strip()}" for item in used for name in item.split(",")}
    assert not used & excluded, f"the spec leaves out modules the app imports: {used & excluded}"


# Icons --------------------------------------------------------------------------------------


def test_the_png_icons_are_there_at_every_size(make_icons):
    for size in make_icons.SIZES:
        data = make_icons.png_path(size).read_bytes()
        assert make_icons.png_size(data) == (size, size)


def test_the_ico_holds_every_windows_size(make_icons, tmp_path):
    path = make_icons.write_ico(tmp_path / "kpidesk.ico")
    data = path.read_bytes()
    assert struct.unpack_from("<HHH", data) == (0, 1, len(make_icons.ICO_SIZES))
    images = make_icons.read_ico(data)
    assert [(w, h) for w, h, _ in images] == [(s, s) for s in make_icons.ICO_SIZES]
    for width, _height, image in images:
        assert make_icons.png_size(image) == (width, width)


def test_the_iconset_has_apples_names(make_icons, tmp_path):
    folder = make_icons.write_iconset(tmp_path / "kpidesk.iconset")
    names = sorted(p.name for p in folder.iterdir())
    assert "icon_512x512@2x.png" in names and "icon_16x16.png" in names
    data = (folder / "icon_512x512@2x.png").read_bytes()
    assert make_icons.png_size(data) == (1024, 1024)


# Linux: .desktop and MIME type ---------------------------------------------------------------


def test_the_desktop_entry_opens_workspaces():
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(
            ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(DESKTOP, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "kpidesk %f"
    assert entry["Icon"] == "kpidesk"  # app.setDesktopFileName("kpidesk") matches the file name
    assert MIME_TYPE in entry["MimeType"].split(";")


def test_the_mime_type_matches_the_workspace_file():
    from kpidesk.store.sqlite import APPLICATION_ID

    root = ET.parse(MIME_XML).getroot()
    mime = root.find(f"{MIME_NS}mime-type")
    assert mime is not None and mime.get("type") == MIME_TYPE
    assert [g.get("pattern") for g in mime.findall(f"{MIME_NS}glob")] == ["*.kpidesk"]
    outer = mime.find(f"{MIME_NS}magic/{MIME_NS}match")
    assert outer.get("value") == "SQLite format 3" and outer.get("offset") == "0"
    inner = outer.find(f"{MIME_NS}match")
    assert inner.get("offset") == "68" and int(inner.get("value"), 16) == APPLICATION_ID


def test_the_mime_database_accepts_it(tmp_path):
    tool = shutil.which("update-mime-database")
    if tool is None:
        pytest.skip("update-mime-database is not installed")
    (tmp_path / "packages").mkdir()
    shutil.copy(MIME_XML, tmp_path / "packages" / "kpidesk.xml")
    subprocess.run([tool, str(tmp_path)], check=True, capture_output=True)
    assert f"{MIME_TYPE}:*.kpidesk" in (tmp_path / "globs2").read_text()


def test_the_linux_scripts_parse():
    for script in ("build.sh", "check_package.sh", "system-deps.sh"):
        subprocess.run(["bash", "-n", str(INSTALLER / "linux" / script)], check=True)
    subprocess.run(["sh", "-n", str(INSTALLER / "linux" / "install.sh")], check=True)
    subprocess.run(["bash", "-n", str(INSTALLER / "macos" / "build.sh")], check=True)


def test_install_sh_installs_what_the_package_holds():
    script = (INSTALLER / "linux" / "install.sh").read_text("utf-8")
    build = (INSTALLER / "linux" / "build.sh").read_text("utf-8")
    for name in ("kpidesk.desktop", "kpidesk-mime.xml", "icons/kpidesk-", "kpidesk/kpidesk"):
        assert name in script
    assert "RESOURCES=src/kpidesk/resources" in build
    assert '"$RESOURCES/kpidesk.desktop" "$RESOURCES/kpidesk-mime.xml"' in build
    assert "update-mime-database" in script and "--uninstall" in script


# Windows, macOS and CI -------------------------------------------------------------------------


def test_the_inno_setup_script_registers_the_file_type():
    script = ISS.read_text("utf-8")
    assert 'Source: "dist\\kpidesk\\*"' in script
    assert "SetupIconFile=build\\installer\\kpidesk.ico" in script
    assert 'Subkey: "Software\\Classes\\.kpidesk"' in script
    assert '""{app}\\{#AppExe}"" ""%1""' in script
    assert "ChangesAssociations=yes" in script
    assert '#define AppExe "kpidesk.exe"' in script
    spec = SPEC.read_text("utf-8")
    assert 'write_ico(BUILD / "kpidesk.ico")' in spec
    assert 'write_ico(BUILD / "kpidesk-document.ico")' in spec


def test_the_mac_app_declares_the_document_type():
    spec = SPEC.read_text("utf-8")
    assert '"CFBundleTypeExtensions": ["kpidesk"]' in spec
    assert '"public.mime-type": [' in spec and MIME_TYPE in spec
    assert 'name="KPI Desk.app"' in spec
    assert "argv_emulation=IS_MACOS" in spec
    build = (INSTALLER / "macos" / "build.sh").read_text("utf-8")
    assert 'APP="dist/KPI Desk.app"' in build and "hdiutil create" in build


def test_the_workflow_builds_all_three_and_runs_the_self_test():
    workflow = WORKFLOW.read_text("utf-8")
    for runner in ("ubuntu-", "windows-latest", "macos-latest"):
        assert f"runs-on: {runner}" in workflow
    assert workflow.count('python-version: "3.12"') == 3
    assert workflow.count("actions/upload-artifact") == 3
    assert 'tags: ["v*"]' in workflow
    assert "make installer" in workflow
    assert "installer/windows/build.ps1" in workflow
    assert "installer/macos/build.sh" in workflow
    # every platform's recipe runs the bundle's checks, which run the self-test
    for recipe in ("linux/build.sh", "windows/build.ps1", "macos/build.sh"):
        assert "check_bundle.py" in (INSTALLER / recipe).read_text("utf-8"), recipe
    assert "--self-test" in (INSTALLER / "check_bundle.py").read_text("utf-8")


def test_the_makefile_has_the_installer_target():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(r"^\.PHONY:.*\binstaller\b", makefile, re.M)
    assert re.search(r"^installer:", makefile, re.M)
    assert "installer/linux/build.sh" in makefile


@pytest.mark.skipif(sys.platform != "linux", reason="the ldconfig names are Linux's")
def test_the_bundled_x11_libraries_are_the_ones_checked():
    spec = SPEC.read_text("utf-8")
    checker = (INSTALLER / "check_bundle.py").read_text("utf-8")
    required = set(re.findall(r'"(lib[\w.+-]+\.so\.\d+)"', spec.split("REQUIRED_X11_LIBS", 1)[1]))
    checked = set(re.findall(r'"(lib[\w.+-]+\.so\.\d+)"', checker.split("X11_LIBS = (", 1)[1]))
    assert checked and checked <= required
