#!/usr/bin/env bash
# bench/hash/hash.sh - signet hash against openssl and coreutils, measured side by side.
#
# Usage: bench/hash/hash.sh [-n PAIRS] [-N SMALL_PAIRS] [-s BIG_SIZE]
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
# for the small files. The in-process Go benchmarks are in sign/ (go test -bench . ./sign/)
# and bench/hash (SHA-3 implementations).
set -euo pipefail

pairs=3
small_pairs=21
big_size=$((2 << 30))
while getopts "n:N:s:" opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	N) small_pairs=$OPTARG ;;
	s) big_size=$OPTARG ;;
	*) sed -n '2,4p' "$0" >&2; exit 2 ;;
	esac
done

for tool in go openssl sha256sum; do
	command -v "$tool" >/dev/null || { echo "hash.sh: $tool is required" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/signet-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$root" && go build -o "$work/signet" ./cmd/signet)
signet=$work/signet

echo "preparing data in $work ..." >&2
head -c "$big_size" /dev/urandom >"$work/big"
mid_size=$((big_size < (512 << 20) ? big_size : (512 << 20)))
head -c "$mid_size" "$work/big" >"$work/mid"
mkdir "$work/small"
head -c $((1000 * 65536)) /dev/urandom | split -b 65536 -a 4 -d - "$work/small/f"
cat "$work/big" "$work/mid" "$work/small"/* >/dev/null # into the page cache


# timed CMD... prints the wall time and the CPU time (user + system) of CMD in microseconds.
# It runs in a $(...) subshell, whose children's CPU times start at zero, and reads them with
# the times builtin (redirected to a file: a pipe would fork and lose them).
timed() {
	local s e
	s=${EPOCHREALTIME/./}
	"$@" >/dev/null
	e=${EPOCHREALTIME/./}
	times >"$work/times.$BASHPID"
	awk -v wall=$((e - s)) 'NR == 2 {
		split($1, u, /[ms]/); split($2, y, /[ms]/)
		printf "%d %d\n", wall, ((u[1] + y[1]) * 60 + u[2] + y[2]) * 1e6
	}' "$work/times.$BASHPID"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

ms() { awk -v t="$1" 'BEGIN {printf "%.1f", t / 1000}'; }

# compare LABEL N -- A... -- B...: runs A and B alternately N times; prints the median of the
# per-pair ratios A/B of wall time (the figure that counts) and of CPU time (less sensitive to
# other load on a shared machine, but for parallel work it is not the point), and the median
# times.
compare() {
	local label=$1 n=$2
	shift 3
	local a=() b=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	"${a[@]}" >/dev/null; "${b[@]}" >/dev/null # warm-up
	local ratios=() cratios=() ta=() tb=() i x y
	for ((i = 0; i < n; i++)); do
		x=($(timed "${a[@]}"))
		y=($(timed "${b[@]}"))
		ta+=("${x[0]}"); tb+=("${y[0]}")
		ratios+=("$(awk -v x="${x[0]}" -v y="${y[0]}" 'BEGIN {printf "%.3f", x / y}')")
		cratios+=("$(awk -v x="${x[1]}" -v y="${y[1]}" 'BEGIN {if (y > 0) printf "%.3f", x / y; else print "nan"}')")
	done
	local r c ma mb
	r=$(printf '%s\n' "${ratios[@]}" | median)
	c=$(printf '%s\n' "${cratios[@]}" | median)
	ma=$(printf '%s\n' "${ta[@]}" | median)
	mb=$(printf '%s\n' "${tb[@]}" | median)
	printf '%-52s ratio %6.3f  cpu %6.3f  (%s ms vs %s ms, %d pairs)\n' "$label" "$r" "$c" "$(ms "$ma")" "$(ms "$mb")" "$n"
	printf '%-52s   wall ratios: %s\n' "" "${ratios[*]}"
}

big_mib=$((big_size >> 20))
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(openssl version); $(sha256sum --version | head -1); $(go version)"
echo "ratio = first command's wall time / second's, median of alternating pairs; cpu = the same for user+system time"
echo
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
