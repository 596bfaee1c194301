#!/usr/bin/env bash
# `feeds build` beside Pelican and Hugo on the same synthetic articles, in one run.
#
#   bench/build.sh 1000 10000 50000          # corpus sizes; REPEAT=3 for medians
#   PEERS="hugo project" bench/build.sh 50000
#
# Uses the peer harness in ../shared/peers (copied to $PEERS_DIR, default /tmp/peers,
# with its own virtual environment), which needs Debian's hugo and time packages. Our
# peer builds feeds only (--no-pages), with bench/peers.toml: the same feeds the others
# make (site-wide and per section, 50 items, full text) and no monthly archives. It keeps
# its state under the output folder, so the harness's add1 rebuild reuses the parse cache.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARED="${SHARED:-$HERE/../../shared/peers}"
PEERS_DIR="${PEERS_DIR:-/tmp/peers}"
FEEDS="${FEEDS:-$HERE/../.venv/bin/feeds}"

command -v hugo >/dev/null || { echo "missing hugo: apt-get install hugo" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time: apt-get install time" >&2; exit 2; }
if [[ ! -x "$PEERS_DIR/.venv/bin/python" ]]; then
  rm -rf "$PEERS_DIR" && cp -r "$SHARED" "$PEERS_DIR" && chmod -R u+w "$PEERS_DIR"
  python3 -m venv "$PEERS_DIR/.venv"
  "$PEERS_DIR/.venv/bin/pip" install -q -r "$PEERS_DIR/requirements.txt"
fi
# Bytecode for the package, as pip writes it when installing (this checkout is installed
# in editable mode, and PYTHONDONTWRITEBYTECODE may be set): without it every run compiles.
"$HERE/../.venv/bin/python" -m compileall -q "$HERE/../feeds" >/dev/null
export PEERS="${PEERS:-pelican hugo project}"
# ({pages} and {out} are filled in by run_peers.sh)
default_cmd="$FEEDS --config $HERE/peers.toml build --content {pages} --output {out} --state {out}/state --no-pages"
export PROJECT_CMD="${PROJECT_CMD:-$default_cmd}"
exec "$PEERS_DIR/run_peers.sh" "$@"
