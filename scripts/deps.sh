#!/usr/bin/env bash
# Install what sockscope needs to build and test, from Debian's packages only.
# Usage: scripts/deps.sh            (as root on Debian 12)
set -euo pipefail
pkgs=(
	gcc meson ninja-build pkg-config libmnl-dev   # build
	libcmocka-dev                                 # unit tests
	iproute2 net-tools lsof util-linux jq python3 # end-to-end tests: oracles, unshare, JSON checks
	clang libclang-rt-14-dev                      # libFuzzer targets, sanitizers
	libbpf-dev bpftool                            # BPF owner fast path (clang builds it)
	strace                                        # kill tests prove no signal is sent
	prometheus                                    # promtool check metrics: the --prom output tests
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "scripts/deps.sh: need root to install: ${missing[*]}" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
