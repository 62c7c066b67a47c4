; Inno Setup 6 script: KPI Desk's Windows installer, dist\kpidesk-<version>-windows-x64-setup.exe.
;
; Build the bundle first (installer\windows\build.ps1 does all of it):
;   python -m PyInstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\kpidesk.spec
;   iscc /DAppVersion=0.1.0 installer\windows\kpidesk.iss
;
; It installs per user (no administrator rights needed) or, when the user chooses so in the
; dialog, for all users; registers the .kpidesk file type so a double-click on a workspace
; opens it in KPI Desk; and adds a Start menu entry (and optionally a desktop icon).

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z installer\windows\kpidesk.iss
#endif
#define AppName "KPI Desk"
#define AppExe "kpidesk.exe"
#define ProgId "KPIDesk.Workspace"

[Setup]
; The AppId identifies the app across versions: never change it.
AppId={{5C7D0F52-8E3A-4C41-9B7E-2F6A1D4B9E10}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=KPI Desk
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Paths below are relative to the repository's root.
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=kpidesk-{#AppVersion}-windows-x64-setup
SetupIconFile=build\installer\kpidesk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
#if FileExists(CompilerPath + "Languages\Swedish.isl")
Name: "swedish"; MessagesFile: "compiler:Languages\Swedish.isl"
#endif

[CustomMessages]
english.WorkspaceType=KPI Desk workspace
#if FileExists(CompilerPath + "Languages\Swedish.isl")
swedish.WorkspaceType=KPI Desk-arbetsyta
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "dist\kpidesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "build\installer\kpidesk-document.ico"; DestDir: "{app}"; Flags: ignoreversion

[InstallDelete]
; An update replaces the bundle whole, so no file of an older version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; The .kpidesk file type: HKA is HKCU for a per-user install, HKLM for all users.
Root: HKA; Subkey: "Software\Classes\.kpidesk"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.kpidesk"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-kpidesk"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.kpidesk\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "{cm:WorkspaceType}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\kpidesk-document.ico,0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".kpidesk"; ValueData: ""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
