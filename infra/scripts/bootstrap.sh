#!/usr/bin/env bash
# Installs what the project needs, idempotently. Usage: bootstrap.sh [stack] [lint] [build]
#   stack  Python venv with the local AWS stand-in (moto server), pinned by infra/python/stack.lock
#   lint   Python venv with cfn-lint and the SAM CLI, pinned by infra/python/lint.lock
#   build  Python venv with cargo-lambda and zig (cross builds for Lambda), plus the arm64 Rust target
# A venv is rebuilt only when its lock file changes.
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

rust_components() {
  local installed
  installed=$(rustup component list --installed 2>/dev/null || true)
  for component in rustfmt clippy; do
    grep -q "^$component" <<<"$installed" || rustup component add "$component"
  done
}

for part in "${@:-stack}"; do
  case "$part" in
    stack) venv stack ;;
    lint) venv lint; rust_components ;;
    build)
      venv build
      rustup target list --installed | grep -q '^aarch64-unknown-linux-gnu$' || rustup target add aarch64-unknown-linux-gnu
      ;;
    *) echo "bootstrap: unknown part $part" >&2; exit 2 ;;
  esac
done
