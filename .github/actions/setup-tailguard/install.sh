#!/usr/bin/env bash
# Installs tailguard into $TAILGUARD_ROOT/bin and adds that to the job's PATH (action.yml).
#   TAILGUARD_VERSION     X.Y.Z or latest
#   TAILGUARD_REPOSITORY  OWNER/NAME of the releases
#   TAILGUARD_ROOT        install root (cached by the action for fixed versions)
set -euo pipefail
version="${TAILGUARD_VERSION:?}"
repository="${TAILGUARD_REPOSITORY:?}"
root="${TAILGUARD_ROOT:?}"

if [ "$version" != latest ] && ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "::error::setup-tailguard: version '$version' is neither latest nor X.Y.Z"
  exit 2
fi

done_with() {
  "$1" --version
  dirname "$1" >> "$GITHUB_PATH"
  echo "path=$1" >> "$GITHUB_OUTPUT"
  exit 0
}

[ -x "$root/bin/tailguard" ] && done_with "$root/bin/tailguard"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) triple=x86_64-unknown-linux-gnu ;;
  Linux-aarch64 | Linux-arm64) triple=aarch64-unknown-linux-gnu ;;
  *) triple= ;;
esac

if [ -n "$triple" ]; then
  if [ "$version" = latest ]; then
    base="https://github.com/$repository/releases/latest/download"
  else
    base="https://github.com/$repository/releases/download/v$version"
  fi
  asset="tailguard-$triple.tar.gz"
  tmp="$(mktemp -d)"
  if curl -fsSL --retry 3 -o "$tmp/$asset" "$base/$asset" \
    && curl -fsSL --retry 3 -o "$tmp/$asset.sha256" "$base/$asset.sha256"; then
    (cd "$tmp" && sha256sum --check --strict "$asset.sha256")
    mkdir -p "$root/bin"
    tar -xzf "$tmp/$asset" -C "$root/bin" tailguard
    done_with "$root/bin/tailguard"
  fi
  echo "no released $asset for $version; building it with cargo install"
fi

args=(--locked --root "$root" --no-default-features)
[ "$version" = latest ] || args+=(--version "$version")
cargo install "${args[@]}" tailguard
done_with "$root/bin/tailguard"
