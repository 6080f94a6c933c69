#!/usr/bin/env bash
# Installs the Node.js clients the integration tests use (npm `mysql2` and `mariadb` through
# gracewire, and `nats`, which reads what gracewire publishes; versions pinned by
# tests/integration/clients/node/package-lock.json) into DIR, from
# the npm registry. Idempotent: does nothing when DIR already holds exactly that lock file's tree.
#
#   tools/install-node-clients.sh DIR     (tools/test uses BUILD-DIR/node-clients)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source_dir=$root/tests/integration/clients/node
target=${1:?usage: tools/install-node-clients.sh DIR}
command -v npm >/dev/null || { echo "install-node-clients: npm is missing (tools/install-deps.sh)" >&2; exit 1; }

mkdir -p "$target"
# npm ci leaves a copy of the lock file in node_modules/; the same one means nothing to do.
if cmp -s "$source_dir/package-lock.json" "$target/node_modules/.package-lock.json.installed"; then
  exit 0
fi
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$target/"
echo "install-node-clients: npm ci in $target" >&2
(cd "$target" && npm ci --no-audit --no-fund --loglevel=error)
cp "$source_dir/package-lock.json" "$target/node_modules/.package-lock.json.installed"
