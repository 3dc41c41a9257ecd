#!/usr/bin/env bash
# Debian packages the tests use beyond Python: Graphviz's dot (DAG drawings) and Chromium
# (the HTML report opened headless) and strace (which files a mask job opens). The SLURM
# packages are installed by cluster/slurm/up.sh when the cluster tests start it.
# Installs only what is missing, and only as root with apt; otherwise it says what to install.
set -euo pipefail

packages=(graphviz chromium strace)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "system-deps: please install ${missing[*]} (tests that need them are skipped)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system-deps: installed ${missing[*]}"
