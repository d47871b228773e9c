#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are not
# installed yet, with sudo when not root; does nothing when all are. The one
# install step of scripts/setup.sh, scripts/sanitize_and_fuzz.sh, .ci/run
# and the SLURM test. Usage: scripts/install_packages.sh LABEL PACKAGE...
# (LABEL prefixes its message, e.g. "setup").
set -euo pipefail
label=$1
shift
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
    grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0
echo "$label: installing missing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Without an init system (a container), the packages' services are not
# started by the install: invoke-rc.d blocks them.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
