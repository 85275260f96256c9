#!/bin/sh
# Installs the Debian packages the API benchmark (bench/api/run.sh) needs
# on top of scripts/install-deps.sh, and nothing that is already there:
# wrk drives the HTTP load, nginx is the static-file peer it is compared
# with. `make bench` runs it.
set -eu

PACKAGES="
  wrk nginx-light curl
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

[ -z "$missing" ] && exit 0

echo "Installing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
