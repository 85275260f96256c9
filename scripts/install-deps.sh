#!/bin/sh
# Installs the Debian packages Timon needs to build, test and run, and
# nothing that is already there. The one list both `make run` and
# `make test` use; given packages as arguments, installs those instead
# (scripts/install-bench-deps.sh).
set -eu

if [ $# -gt 0 ]; then
  PACKAGES="$*"
else
  PACKAGES="
  meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libsoup-3.0-dev libjson-glib-dev libsqlite3-dev libyaml-dev
  glib-networking dbus
  etcd-server etcd-client
  binutils clang-format
"
fi

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
