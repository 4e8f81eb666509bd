#!/usr/bin/env bash
# Vendors the Matrix Widget API's browser build (npm `matrix-widget-api`,
# Apache-2.0, by The Matrix.org Foundation) into the desk's assets: the
# desk page, shown as a widget in Element, asks its client for an OpenID
# token with it; the widget test's host page plays the client with it.
# Pinned by version and by the npm tarball's SHA-512; the file and its
# licence are committed, so nothing is fetched at build or run time. Run it
# again only to move to another version (change VERSION and INTEGRITY).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.19.0
# npm's `dist.integrity` of the tarball (npm view matrix-widget-api@$VERSION dist.integrity).
INTEGRITY="sha512-Qe7L6G1mQJphBC47/Bzp5ljPIK1UARgLiuGgS+/KmEs/eaNHkQ3+ArD0/0kvMV+d6kCGAZ9OKRqsnuPjizI+tw=="
OUT=bridge/src/desk/assets/vendor

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 3 -o "$tmp/package.tgz" \
  "https://registry.npmjs.org/matrix-widget-api/-/matrix-widget-api-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tmp/package.tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "matrix-widget-api $VERSION: the tarball's checksum is $got, not $INTEGRITY; nothing changed" >&2
  exit 1
fi
# dist/api.js, the browserify build (the package's dist/api.min.js exports
# nothing usable: its minifier loses the module's exports), without its
# inline source map (two thirds of the file).
tar -xzf "$tmp/package.tgz" -C "$tmp" package/dist/api.js package/LICENSE
mkdir -p "$OUT"
rm -f "$OUT/matrix-widget-api.min.js"
grep -v '^//# sourceMappingURL=' "$tmp/package/dist/api.js" > "$OUT/matrix-widget-api.js"
cp "$tmp/package/LICENSE" "$OUT/matrix-widget-api.LICENSE"
printf 'matrix-widget-api %s (npm), dist/api.js without its source map line\n%s\nsha256 of the file: %s\n' \
  "$VERSION" "$INTEGRITY" "$(sha256sum "$OUT/matrix-widget-api.js" | cut -d' ' -f1)" \
  > "$OUT/matrix-widget-api.VERSION"
echo "vendored matrix-widget-api $VERSION into $OUT"
