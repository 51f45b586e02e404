#!/usr/bin/env bash
# Install the spreadsheet engine the round-trip tests use (LibreOffice Calc, headless, with its
# Python UNO bridge). Idempotent: does nothing when both are present; needs root to install.
set -euo pipefail
if command -v soffice >/dev/null 2>&1 && /usr/bin/python3 -c "import uno" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "LibreOffice missing: as root run 'apt-get install --no-install-recommends libreoffice-calc-nogui python3-uno' (the xlsx round-trip tests are skipped until then)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui python3-uno >/dev/null
