#!/usr/bin/env bash
# Shared by .ci/test and .ci/run (sourced): install system packages as root or through sudo,
# and Python tools into one venv (.ci/venv; PEP 668 forbids pip outside one on Debian/Ubuntu).

# Run a command as root: directly when root (a Debian container), else through sudo (GitHub's
# runner user).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

apt_updated=false
# apt-get install the packages given; nothing when none.
apt_install() {
  [ $# -gt 0 ] || return 0
  echo "== installing $* (apt)"
  if [ "$apt_updated" = false ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=true
  fi
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" > /dev/null
}

ci_venv="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/venv"
# pip install PACKAGE==VERSION into .ci/venv unless COMMAND is already on PATH; the venv's bin
# is put on PATH either way.
venv_tool() {
  local command=$1 package=$2
  export PATH="$ci_venv/bin:$PATH"
  command -v "$command" > /dev/null 2>&1 && return 0
  if [ ! -x "$ci_venv/bin/pip" ]; then
    python3 -m venv "$ci_venv" 2> /dev/null || {
      apt_install python3-venv
      python3 -m venv "$ci_venv"
    }
  fi
  echo "== installing $package (pip, in $ci_venv)"
  "$ci_venv/bin/pip" install --quiet --disable-pip-version-check "$package"
}
