#!/usr/bin/env bash
# bench/sign/sign.sh - signet sign against a shell loop of openssl, and a token key against a
# software key, measured side by side.
#
# Usage: bench/sign/sign.sh [-n PAIRS] [-N TOKEN_PAIRS] [-f FILES]
#   (from anywhere inside the repository; needs go, openssl, and for the token comparison
#   softhsm2-util and pkcs11-tool)
#
# It builds signet, prepares FILES (default 1000) files of 64 KiB and an ECDSA P-256 key in a
# temporary directory (removed at the end) and prints one line per comparison. The machine is
# shared and noisy, so every comparison alternates the two commands (A B A B ...) and reports
# the median of the per-pair wall-time ratios A/B (the figure the targets are about), the same
# for CPU time (user + system), and the median times. Times are of whole processes (start-up,
# key loading and token login included), files in the page cache. Both sides create their
# signature files afresh (the previous run's are removed, untimed); signet's are durable (synced
# to disk, then renamed into place), openssl's are not synced at all.
#
#   FILES x 64 KiB, P-256    openssl dgst -sha256 -sign loop / signet sign      target >= 30
#   FILES x 64 KiB, P-256    signet sign, SoftHSM2 key / software key           target <= 2
#
# PAIRS (default 3) is the number of A/B pairs against openssl (each loop takes seconds),
# TOKEN_PAIRS (default 11) for the token comparison. The in-process split of a run into
# hashing+signing and writing is BenchmarkSignFiles and BenchmarkSignFilesToken in sign/:
#   go test -run '^$' -bench 'SignFiles' -benchtime 5x ./sign/
set -euo pipefail

pairs=3
token_pairs=11
nfiles=1000
while getopts "n:N:f:" opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	N) token_pairs=$OPTARG ;;
	f) nfiles=$OPTARG ;;
	*) sed -n '2,8p' "$0" >&2; exit 2 ;;
	esac
done

for tool in go openssl; do
	command -v "$tool" >/dev/null || { echo "sign.sh: $tool is required" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/signet-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$root" && go build -tags urfave_cli_no_docs -o "$work/signet" ./cmd/signet)
signet=$work/signet

echo "preparing data in $work ..." >&2
mkdir "$work/small"
head -c $((nfiles * 65536)) /dev/urandom | split -b 65536 -a 5 -d - "$work/small/f"
files=("$work"/small/f[0-9][0-9][0-9][0-9][0-9])
cat "${files[@]}" >/dev/null # into the page cache
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/p256.key" 2>/dev/null

# The openssl loop as a release script would write it: one process per file.
cat >"$work/openssl-loop.sh" <<'EOF'
for f in "$@"; do openssl dgst -sha256 -sign "$KEY" -out "$f.osig" "$f" || exit 1; done
EOF

# reset removes every signature before each timed run, untimed, so both sides create their
# files afresh, as a release job does (replacing a thousand files is another workload).
reset() { rm -f "$work"/small/*.sig "$work"/small/*.osig; }

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

# compare LABEL N -- A... -- B...: runs A and B alternately N times (after one warm-up run of
# each) and prints the median of the per-pair ratios A/B of wall and CPU time, and the median
# times.
compare() {
	local label=$1 n=$2
	shift 3
	local a=() b=()
	while [ "$1" != "--" ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	reset; "${a[@]}" >/dev/null; reset; "${b[@]}" >/dev/null # warm-up
	local ratios=() cratios=() ta=() tb=() i x y
	for ((i = 0; i < n; i++)); do
		reset; x=($(timed "${a[@]}"))
		reset; y=($(timed "${b[@]}"))
		ta+=("${x[0]}"); tb+=("${y[0]}")
		ratios+=("$(awk -v x="${x[0]}" -v y="${y[0]}" 'BEGIN {printf "%.3f", x / y}')")
		cratios+=("$(awk -v x="${x[1]}" -v y="${y[1]}" 'BEGIN {if (y > 0) printf "%.3f", x / y; else print "nan"}')")
	done
	local r c ma mb
	r=$(printf '%s\n' "${ratios[@]}" | median)
	c=$(printf '%s\n' "${cratios[@]}" | median)
	ma=$(printf '%s\n' "${ta[@]}" | median)
	mb=$(printf '%s\n' "${tb[@]}" | median)
	printf '%-58s ratio %7.3f  cpu %7.3f  (%s ms vs %s ms, %d pairs)\n' "$label" "$r" "$c" "$(ms "$ma")" "$(ms "$mb")" "$n"
	printf '%-58s   wall ratios: %s\n' "" "${ratios[*]}"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(openssl version); $(go version)"
echo "ratio = first command's wall time / second's, median of alternating pairs; cpu = the same for user+system time"
echo

export KEY=$work/p256.key
compare "$nfiles x 64 KiB P-256: openssl loop / signet sign (want >= 30)" "$pairs" -- \
	bash "$work/openssl-loop.sh" "${files[@]}" -- \
	"$signet" sign --key "$work/p256.key" "${files[@]}"

if command -v softhsm2-util >/dev/null && command -v pkcs11-tool >/dev/null; then
	module=
	for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so /usr/lib64/pkcs11/libsofthsm2.so; do
		[ -f "$m" ] && module=$m && break
	done
	if [ -n "$module" ]; then
		mkdir "$work/tokens"
		printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" >"$work/softhsm2.conf"
		export SOFTHSM2_CONF=$work/softhsm2.conf SIGNET_PIN=1234 SIGNET_PKCS11_MODULE=$module
		softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null
		pkcs11-tool --module "$module" --token-label bench --login --pin env:SIGNET_PIN \
			--keypairgen --key-type EC:prime256v1 --id 01 --label p256 >/dev/null 2>&1
		compare "$nfiles x 64 KiB P-256: signet sign, token / software (want <= 2)" "$token_pairs" -- \
			"$signet" sign --key 'pkcs11:token=bench;object=p256' "${files[@]}" -- \
			"$signet" sign --key "$work/p256.key" "${files[@]}"
	else
		echo "(no libsofthsm2.so: token comparison skipped)"
	fi
else
	echo "(softhsm2-util or pkcs11-tool missing: token comparison skipped)"
fi
