#!/usr/bin/env bash
# Screenshots of the site for README's "What readers see": docs/screenshots/*.png.
#
#   docs/screenshots/make.sh
#
# Needs Debian's chromium, pngquant and a Chinese font (apt-get install chromium pngquant
# fonts-noto-cjk). Builds the demo page (content/) with a made-up archive of earlier issues
# (paper.py) in a temporary folder, serves it with `feeds serve`, and takes each page light
# and dark, at 1280 px and at 390 px (a phone). CI does not run this.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FEEDS="${FEEDS:-$ROOT/.venv/bin/feeds}"
PORT="${PORT:-8765}"
WORK="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cp -r "$ROOT/content" "$WORK/content"
"$ROOT/.venv/bin/python" "$HERE/paper.py" "$WORK/content"
sed -e "s|^base_url = .*|base_url = \"http://127.0.0.1:$PORT/\"|" "$ROOT/feeds.toml" > "$WORK/feeds.toml"
"$FEEDS" --config "$WORK/feeds.toml" build -q
"$FEEDS" --config "$WORK/feeds.toml" serve --port "$PORT" 2>/dev/null &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.2; done

public="$WORK/public"
# an article with a photo
article="$(cd "$public" && grep -l "<figure" 2022/09/20/*.html | grep -v index.html | head -1)"
section="$(cd "$public" && ls sections/education/ | sort -n | sed -n 2p)"
pages=(
  "home|"
  "section-page-2|sections/education/$section"
  "issue|2022/09/20/"
  "article|$article"
  "subscribe|feeds/"
  "404|no/such/page.html"
)
shoot() {  # name url width height [extra chromium flags]
  local profile; profile="$(mktemp -d)"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" --window-size="$3,$4" \
    --screenshot="$HERE/$1.png" "${@:5}" "$2" 2>/dev/null
  rm -rf "$profile"
  pngquant --force --skip-if-larger --quality 60-90 --output "$HERE/$1.png" "$HERE/$1.png" || true
}
for page in "${pages[@]}"; do
  name="${page%%|*}"; url="http://127.0.0.1:$PORT/${page#*|}"
  shoot "$name-desktop-light" "$url" 1280 900
  shoot "$name-desktop-dark" "$url" 1280 900 --force-dark-mode
  shoot "$name-phone-light" "$url" 390 844
  shoot "$name-phone-dark" "$url" 390 844 --force-dark-mode
done
echo "screenshots in $HERE"
