#!/bin/sh
# A stand-in for Gradescope's autograder base image (Ubuntu 22.04 "jammy", system python3 = 3.10),
# for tests/export/test_gradescope_jammy.py. Network: the Ubuntu archive only.
#
#   sh docker/gradescope-jammy.sh OUT [MIRROR]
#
# writes OUT/rootfs.tar (for `docker import`) and OUT/debs/ (a flat apt repository with what
# the zip's setup.sh installs on jammy: python3.11, python3.11-venv, bubblewrap and their
# dependencies). The test container has no network: it mounts OUT/debs as its only apt source,
# as Gradescope's setup step would reach the archive. The image holds only what Gradescope's
# base has (python3 3.10 with pip, ca-certificates); nothing of ours is pre-installed.
# Root, debootstrap and dpkg-deb are needed. The test tags the image by a hash of this file.
set -eu
OUT="$1"
MIRROR="${2:-http://archive.ubuntu.com/ubuntu}"
ROOT="$OUT/root"
rm -rf "$ROOT" "$OUT/debs" "$OUT/rootfs.tar"
mkdir -p "$OUT"

debootstrap --variant=minbase --components=main,universe \
    --include=python3,python3-pip,ca-certificates jammy "$ROOT" "$MIRROR"
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR jammy main universe
deb $MIRROR jammy-updates main universe
deb $MIRROR jammy-security main universe
EOF
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
chroot "$ROOT" apt-get update -qq
# The point release of Python that Gradescope's image carries (3.10.12 from jammy-updates), not
# jammy's release-day 3.10.4 (debootstrap's --extra-suites fails on jammy).
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip >/dev/null
chroot "$ROOT" apt-get clean
# What setup.sh installs, downloaded only (not installed): the test serves it from OUT/debs.
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --download-only \
    python3.11 python3.11-venv bubblewrap
mkdir -p "$OUT/debs"
mv "$ROOT"/var/cache/apt/archives/*.deb "$OUT/debs/"
(
    cd "$OUT/debs"
    for f in *.deb; do
        dpkg-deb -f "$f"
        echo "Filename: ./$f"
        echo "Size: $(stat -c %s "$f")"
        echo "SHA256: $(sha256sum "$f" | cut -d' ' -f1)"
        echo
    done >Packages
)
chroot "$ROOT" apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/etc/resolv.conf
tar --numeric-owner -C "$ROOT" -cf "$OUT/rootfs.tar" .
rm -rf "$ROOT"
