#!/usr/bin/env bash
# Installs what the project needs, idempotently. Usage: bootstrap.sh [stack] [lint] [contract] [build] [web] [browser]
#   stack    Python venvs with the local AWS stand-in (moto server), pinned by infra/python/stack.lock, and
#            the local Stripe stand-in (localstripe) with Stripe's official library, pinned by infra/python/stripe.lock
#   lint     Python venv with cfn-lint, the SAM CLI and actionlint, pinned by infra/python/lint.lock, and
#            the Rust toolchain rust-toolchain.toml pins (with rustfmt and clippy)
#   contract Python venv with schemathesis (the API contract test), pinned by infra/python/contract.lock
#   build    Python venv with cargo-lambda and zig (cross builds for Lambda), plus the arm64 Rust target
#   web      the web app's npm packages (`npm ci`), pinned by web/package-lock.json
#   browser  Debian's Chromium for the browser tests (/usr/bin/chromium), unless it is there already
# A venv or node_modules is rebuilt only when its lock file changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

venv() {
  local name=$1 lock="$root/infra/python/$1.lock" dir="$root/.venv/$1"
  local want
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ -f "$dir/.lock-sha256" ] && [ "$(cat "$dir/.lock-sha256")" = "$want" ]; then
    return
  fi
  echo "bootstrap: installing the $name venv ($lock)"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$lock"
  echo "$want" > "$dir/.lock-sha256"
}

node_modules() {
  local lock="$root/web/package-lock.json" dir="$root/web/node_modules"
  local want
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ -f "$dir/.lock-sha256" ] && [ "$(cat "$dir/.lock-sha256")" = "$want" ]; then
    return
  fi
  command -v npm >/dev/null || { echo "bootstrap: npm is missing: install Node.js 20 or later" >&2; exit 1; }
  echo "bootstrap: installing the web app's packages ($lock)"
  (cd "$root/web" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$dir/.lock-sha256"
}

chromium() {
  [ -x /usr/bin/chromium ] && return
  echo "bootstrap: installing Debian's chromium for the browser tests"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
    || { $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }
}

# The toolchain rust-toolchain.toml pins, with its components. A machine without it whose stable toolchain
# is that very release (an offline machine cannot fetch another) registers stable under the release's
# name: rustup refuses `toolchain link` for release names, so this is the directory link rustup lays out.
rust_toolchain() {
  command -v rustup >/dev/null || return 0
  local channel host home
  channel=$(sed -n 's/^channel = "\(.*\)"$/\1/p' "$root/rust-toolchain.toml")
  if ! rustup toolchain list | grep -q "^$channel-"; then
    if rustc +stable --version 2>/dev/null | grep -q "^rustc $channel "; then
      home=${RUSTUP_HOME:-$HOME/.rustup}
      host=$(rustc +stable -vV | sed -n 's/^host: //p')
      echo "bootstrap: using the installed stable toolchain as $channel"
      ln -s "$home/toolchains/stable-$host" "$home/toolchains/$channel-$host"
    else
      echo "bootstrap: installing the Rust toolchain $channel (rust-toolchain.toml)"
      rustup toolchain install "$channel" --profile minimal --component rustfmt,clippy
    fi
  fi
  local installed
  installed=$(cd "$root" && rustup component list --installed 2>/dev/null || true)
  for component in rustfmt clippy; do
    grep -q "^$component" <<<"$installed" || (cd "$root" && rustup component add "$component")
  done
}

for part in "${@:-stack}"; do
  case "$part" in
    stack) venv stack; venv stripe; rust_toolchain ;;
    lint) venv lint; rust_toolchain ;;
    contract) venv contract ;;
    build)
      venv build
      rust_toolchain
      (cd "$root" && rustup target list --installed) | grep -q '^aarch64-unknown-linux-gnu$' || (cd "$root" && rustup target add aarch64-unknown-linux-gnu)
      ;;
    web) node_modules ;;
    browser) chromium ;;
    *) echo "bootstrap: unknown part $part" >&2; exit 2 ;;
  esac
done
