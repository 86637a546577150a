#!/usr/bin/env bash
# bench/hash/hash.sh - signet hash against openssl and coreutils, measured side by side.
#
# Usage: bench/hash/hash.sh [-n PAIRS] [-N SMALL_PAIRS] [-s BIG_SIZE] [-o OLD_SIGNET]
#   (from anywhere inside the repository; needs go, openssl, coreutils)
#
# It builds signet, prepares its data in a temporary directory (removed at the end) and prints
# one line per comparison. The machine is shared and noisy, so every comparison alternates the
# two commands (A B A B ...) and reports the median of the per-pair wall-time ratios A/B (the
# figure the targets are about), the same for CPU time (user + system: less disturbed by other
# load, telling for the single-threaded cases), and the median times. Times are of whole
# processes (start-up included), output to /dev/null, files in the page cache.
#
#   sha256, BIG_SIZE file (default 2 GiB)   signet / openssl dgst -sha256      target <= 1.0
#   sha256, BIG_SIZE file                   sha256sum / signet (speed-up)      target >= 4
#   sha256, 1000 files of 64 KiB            openssl dgst -sha256 / signet      target >= 1.4
#   peak RSS of signet on the BIG_SIZE file (GNU time -f %M, else VmHWM)       target <= 32 MiB
#   sha3-256, 512 MiB file                  signet / openssl dgst -sha3-256    (reported)
#   sha512, 512 MiB file                    signet / openssl dgst -sha512      (reported)
#
# PAIRS (default 3) is the number of A/B pairs for the large files, SMALL_PAIRS (default 21)
# for the small files. With -o, OLD_SIGNET (a signet binary built before a change, e.g. with
# `git stash; go build -tags urfave_cli_no_docs -o /tmp/old ./cmd/signet; git stash pop`,
# as this script builds the new one) is measured against the new build on the same work
# instead (new / old, want < 1), the way a change is shown to help. The in-process Go
# benchmarks are in digest/ (go test -bench . ./digest/) and bench/hash (SHA-3
# implementations).
set -euo pipefail

pairs=3
small_pairs=21
big_size=$((2 << 30))
old=
while getopts "n:N:s:o:" opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	N) small_pairs=$OPTARG ;;
	s) big_size=$OPTARG ;;
	o) old=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
	*) sed -n '2,4p' "$0" >&2; exit 2 ;;
	esac
done

for tool in go openssl sha256sum; do
	command -v "$tool" >/dev/null || { echo "hash.sh: $tool is required" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/lib.sh" # timed, median, ms, compare
work=$(mktemp -d "${TMPDIR:-/tmp}/signet-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Built as the README's Install section builds it (-tags urfave_cli_no_docs), as the other
# bench scripts do: the tag changes the code linked, and with it where Go's keccakF1600 lands
# (printed below), which alone moves SHA-3's speed by 1.29x (see the README's notes).
(cd "$root" && go build -tags urfave_cli_no_docs -o "$work/signet" ./cmd/signet)
signet=$work/signet

echo "preparing data in $work ..." >&2
head -c "$big_size" /dev/urandom >"$work/big"
mid_size=$((big_size < (512 << 20) ? big_size : (512 << 20)))
head -c "$mid_size" "$work/big" >"$work/mid"
mkdir "$work/small"
head -c $((1000 * 65536)) /dev/urandom | split -b 65536 -a 4 -d - "$work/small/f"
cat "$work/big" "$work/mid" "$work/small"/* >/dev/null # into the page cache

big_mib=$((big_size >> 20))
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(openssl version); $(sha256sum --version | head -1); $(go version)"
# Go's SHA-3 permutation runs 1.3x slower on this machine when the linker puts it at 0 modulo
# 64 rather than 32 (see the README's notes): say where it is in the binary measured.
offsets() {
	local addr _ name
	go tool nm "$1" | grep -E 'sha3\.keccakF1600|sha512\.blockAVX2' | while read -r addr _ name; do
		name=${name%.abi0}
		printf '%s at %d mod 64; ' "${name##*/}" $((16#$addr % 64))
	done
}
echo "signet: $(offsets "$signet")${old:+old: $(offsets "$old")}"
echo "ratio = first command's wall time / second's, median of alternating pairs; cpu = the same for user+system time"
echo
if [ -n "$old" ]; then
	[ -x "$old" ] || { echo "hash.sh: $old is not an executable" >&2; exit 1; }
	compare "sha256 ${big_mib} MiB: new / old" "$pairs" -- "$signet" hash "$work/big" -- "$old" hash "$work/big"
	compare "sha256 1000 x 64 KiB: new / old" "$small_pairs" -- "$signet" hash "$work/small"/* -- "$old" hash "$work/small"/*
	compare "sha3-256 $((mid_size >> 20)) MiB: new / old" "$pairs" -- "$signet" hash -a sha3-256 "$work/mid" -- "$old" hash -a sha3-256 "$work/mid"
	compare "sha512 $((mid_size >> 20)) MiB: new / old" "$pairs" -- "$signet" hash -a sha512 "$work/mid" -- "$old" hash -a sha512 "$work/mid"
	exit 0
fi
compare "sha256 ${big_mib} MiB: signet / openssl (want <= 1.0)" "$pairs" -- "$signet" hash "$work/big" -- openssl dgst -sha256 "$work/big"
compare "sha256 ${big_mib} MiB: sha256sum / signet (want >= 4)" "$pairs" -- sha256sum "$work/big" -- "$signet" hash "$work/big"
compare "sha256 1000 x 64 KiB: openssl / signet (want >= 1.4)" "$small_pairs" -- openssl dgst -sha256 "$work/small"/* -- "$signet" hash "$work/small"/*
compare "sha3-256 $((mid_size >> 20)) MiB: signet / openssl" "$pairs" -- "$signet" hash -a sha3-256 "$work/mid" -- openssl dgst -sha3-256 "$work/mid"
compare "sha512 $((mid_size >> 20)) MiB: signet / openssl" "$pairs" -- "$signet" hash -a sha512 "$work/mid" -- openssl dgst -sha512 "$work/mid"

# Peak resident memory of one run on the big file.
rss_kib=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	rss_kib=$( { /usr/bin/time -f %M "$signet" hash "$work/big" >/dev/null; } 2>&1 | tail -1)
else
	# No GNU time: poll VmHWM of the running process (its high-water mark only grows).
	"$signet" hash "$work/big" >/dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
		[ -n "$hwm" ] && rss_kib=$hwm
		sleep 0.05
	done
	wait "$pid"
fi
printf '%-52s %s MiB\n' "peak RSS, signet hash ${big_mib} MiB (want <= 32)" "$(awk -v k="$rss_kib" 'BEGIN {printf "%.1f", k / 1024}')"
