# Mirrors the README's commands for those who use PowerShell (the browser tests also need
# chromium at /usr/bin/chromium: scripts/install-test-deps installs it on Debian):
#   ./build.ps1          restore, build and test (what CI runs)
#   ./build.ps1 -Run     serve the demo on http://localhost:8080
param([switch]$Run)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

if ($Run) {
    dotnet run --project src/ActorHttp.Server
    exit $LASTEXITCODE
}

dotnet restore
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
dotnet build --no-restore
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
dotnet test --no-build
exit $LASTEXITCODE
