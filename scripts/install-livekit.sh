#!/bin/sh
# Installs livekit-server into the user cache, outside the clone, so a fresh clone and CI
# reuse one build. No LiveKit server ships on npm or in Debian, so it is built from the
# Go module proxy with the machine's Go; nothing of LiveKit is committed here.
# Usage: sh scripts/install-livekit.sh [--required]   (prints the binary's path on success)
set -eu

version=v1.13.5
dir="${XDG_CACHE_HOME:-$HOME/.cache}/spaces/livekit-server-$version"
bin="$dir/livekit-server"
required=0
[ "${1:-}" = "--required" ] && required=1

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

# Go's installer puts it in /usr/local/go/bin, which non-login shells often lack on PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="$PATH:/usr/local/go/bin"
fi
if ! command -v go >/dev/null 2>&1; then
  if [ "$required" = 1 ]; then
    echo "livekit-server $version is required (the test suites run against a real one) and Go is not available to build it." >&2
  else
    echo "livekit-server $version is not installed and Go is not available to build it, so live sync is off." >&2
  fi
  cat >&2 <<MSG
Either install Go (>= 1.26, https://go.dev/dl/) and run \`npm run livekit:install\`,
or set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET to a LiveKit server you run elsewhere.
MSG
  exit "$required"
fi

echo "Building livekit-server $version with $(go version) (a few minutes the first time)..." >&2
mkdir -p "$dir"
gobin=$(mktemp -d "$dir/gobin.XXXXXX")
trap 'rm -rf "$gobin"' EXIT
if ! GOBIN="$gobin" go install "github.com/livekit/livekit-server/cmd/server@$version" >&2; then
  echo "go install of livekit-server $version failed (see above)." >&2
  exit "$required"
fi
# The module's main package is cmd/server, so Go names the binary `server`; rename it
# (in the same directory, so the move is atomic for a concurrent reader).
mv "$gobin/server" "$bin"
echo "$bin"
