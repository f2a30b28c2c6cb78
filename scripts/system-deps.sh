#!/usr/bin/env bash
# The system packages a step needs, by platform:   scripts/system-deps.sh build|test
#
#   build  Python 3.11+ (venv) and Node.js 20+ with npm must be there already. On Debian and Ubuntu
#          it adds, when the release has them: fonts-dejavu-core (Unicode labels in fallback images) and
#          dataset-fashion-mnist (else the build downloads Fashion-MNIST once and verifies it).
#   test   A Chromium for the browser tests: Debian's `chromium` package on Debian; elsewhere
#          (Ubuntu, where `chromium` is a snap, macOS, GitHub's runners) Playwright's own build, which
#          `make test` installs into the Playwright cache (needs a network the first time).
#
# Uses sudo when not root (never a password prompt: without sudo rights it prints the command to run).
# Never fails for an optional package; fails with one message when a required tool is missing.
set -euo pipefail
step=${1:?usage: scripts/system-deps.sh build|test}
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"

need_tool() {  # name, how to get it
  command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is missing; $2" >&2; exit 1; }
}

os=${UNAME_S:-$(uname -s)}  # UNAME_S and OS_RELEASE stand in for the machine in tests
release=${OS_RELEASE:-/etc/os-release}
id=""; like=""
if [ -r "$release" ]; then id=$(. "$release"; echo "${ID:-}"); like=$(. "$release"; echo "${ID_LIKE:-}"); fi

if [ "$step" = build ]; then
  case "$os" in
    Darwin) hint="install them with Homebrew: brew install python@3.11 node" ;;
    *) hint="install Python 3.11+ with venv, and Node.js 20+ with npm, from your distribution or python.org / nodejs.org" ;;
  esac
  need_tool node "$hint"
  need_tool npm "$hint"
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" -ge 20 ] || { echo "error: Node.js $node_major is too old; the build needs 20 or newer ($hint)" >&2; exit 1; }
fi

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
candidate() { LC_ALL=C apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {print $2}'; }

apt_install() {  # the named packages this release has, if not installed yet; never fails (they are optional)
  local wanted=() available=() p
  for p in "$@"; do installed "$p" || wanted+=("$p"); done
  [ ${#wanted[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
    echo "note: to add ${wanted[*]}, run: sudo apt-get install ${wanted[*]} (going on without them)" >&2
    return 0
  fi
  $sudo apt-get update -qq || echo "note: apt-get update failed; using the package lists as they are" >&2
  for p in "${wanted[@]}"; do
    if [ -n "$(candidate "$p")" ]; then available+=("$p"); else echo "note: this release has no package '$p'; going on without it" >&2; fi
  done
  [ ${#available[@]} -eq 0 ] && return 0
  echo "Installing system packages: ${available[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=120 "${available[@]}" \
    || echo "note: could not install ${available[*]}; going on without them" >&2
}

case " $id $like " in
  *" debian "*|*" ubuntu "*)
    if [ "$step" = build ]; then
      apt_install fonts-dejavu-core dataset-fashion-mnist
    elif [ "$id" = debian ]; then
      apt_install chromium
    fi ;;
  *)
    if [ "$os" = Darwin ]; then
      if [ "$step" = build ]; then
        echo "macOS: nothing else to install for building (Fashion-MNIST is downloaded once)."
      fi
    else
      echo "note: no package manager support for '${id:-$os}': the build needs only Python 3.11+ and Node.js 20+;" \
           "the tests use Playwright's Chromium (installed by make test)." >&2
    fi ;;
esac
