# KPI Desk's Windows installer, by hand or on CI (PowerShell, from the repository's root):
#
#   py -3.12 -m venv .venv; .venv\Scripts\Activate.ps1
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
#
# Needs Python 3.12+ (the active `python`) and Inno Setup 6 (`iscc` on PATH, or installed in
# its usual folder; `choco install innosetup` or https://jrsoftware.org/isdl.php).
# Makes dist\kpidesk\ (the bundle), checks it, builds dist\kpidesk-<version>-windows-x64-setup.exe,
# installs that silently for the current user, runs the installed app's self-test, uninstalls.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

function Step($text) { Write-Host "installer: $text" }
function Check($what) { if ($LASTEXITCODE -ne 0) { throw "$what failed with exit code $LASTEXITCODE" } }

Step "installing the Python packages"
python -m pip install --quiet --upgrade pip; Check "pip"
python -m pip install --quiet -e ".[dev,installer]"; Check "pip install"
$version = python installer\project_version.py

Step "compiling the translations"
python -m babel.messages.frontend compile --use-fuzzy -D kpidesk -d src/kpidesk/resources/locale; Check "pybabel compile"

Step "building the bundle (dist\kpidesk\)"
if (Test-Path dist\kpidesk) { Remove-Item -Recurse -Force dist\kpidesk }
python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller installer\kpidesk.spec
Check "PyInstaller"

Step "checking the bundle"
python installer\check_bundle.py dist\kpidesk\kpidesk.exe; Check "check_bundle"

Step "building the setup program"
$iscc = (Get-Command iscc -ErrorAction SilentlyContinue).Source
if (-not $iscc) {
  foreach ($dir in @("${env:ProgramFiles(x86)}\Inno Setup 6", "$env:ProgramFiles\Inno Setup 6", "$env:LOCALAPPDATA\Programs\Inno Setup 6")) {
    if (Test-Path "$dir\ISCC.exe") { $iscc = "$dir\ISCC.exe"; break }
  }
}
if (-not $iscc) { throw "Inno Setup 6 (ISCC.exe) is not installed: choco install innosetup" }
& $iscc /Q "/DAppVersion=$version" installer\windows\kpidesk.iss; Check "ISCC"
$setup = "dist\kpidesk-$version-windows-x64-setup.exe"

Step "installing it silently for this user and running the installed app's self-test"
$target = Join-Path $env:TEMP "kpidesk-setup-check"
if (Test-Path $target) { Remove-Item -Recurse -Force $target }
Start-Process -Wait -FilePath $setup -ArgumentList "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/CURRENTUSER", "/DIR=`"$target`""
$installed = Join-Path $target "kpidesk.exe"
& $installed --self-test; Check "the installed app's self-test"
$progid = (Get-ItemProperty "HKCU:\Software\Classes\.kpidesk").'(default)'
if ($progid -ne "KPIDesk.Workspace") { throw ".kpidesk is not associated with KPI Desk ($progid)" }
$command = (Get-ItemProperty "HKCU:\Software\Classes\KPIDesk.Workspace\shell\open\command").'(default)'
Write-Host "  ok  .kpidesk opens with: $command"
Start-Process -Wait -FilePath (Join-Path $target "unins000.exe") -ArgumentList "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART"

$size = (Get-ChildItem -Recurse -File dist\kpidesk | Measure-Object -Property Length -Sum).Sum / 1MB
Step ("done: {0} ({1:N1} MB; bundle {2:N1} MB unpacked)" -f $setup, ((Get-Item $setup).Length / 1MB), $size)
