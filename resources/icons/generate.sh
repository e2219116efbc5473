#!/bin/sh
# Regenerates the packaging icons from icon.svg (the one source of truth).
# Needs Debian's librsvg2-bin (rsvg-convert) and imagemagick (convert-im6 or convert).
#   icon.png        1024x1024, macOS (electron-builder makes the .icns from it)
#   NxN.png         Linux hicolor sizes (electron-builder's linux.icon points at this folder)
#   icon.ico        Windows, 16..256 px in one file
set -eu
cd "$(dirname "$0")"
im=$(command -v convert-im6.q16 || command -v magick || echo /usr/bin/convert)
rsvg-convert -w 1024 -h 1024 icon.svg -o icon.png
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "${size}x${size}.png"
done
"$im" 16x16.png 24x24.png 32x32.png 48x48.png 64x64.png 128x128.png 256x256.png icon.ico
echo "icons written to $(pwd)"
