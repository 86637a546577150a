#!/usr/bin/env bash
# bench/sign/sign.sh - signet sign against a shell loop of openssl, and a token key against a
# software key, measured side by side.
#
# Usage: bench/sign/sign.sh [-n PAIRS] [-N TOKEN_PAIRS] [-f FILES] [-t]
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
#   FILES x 64 KiB, P-256, raw     openssl dgst -sha256 -sign loop / signet sign       target >= 30
#   FILES x 64 KiB, P-256, bundle  openssl dgst -sha256 -sign loop / signet sign -F bundle (target >= 30)
#   FILES x 64 KiB, P-256, cms     openssl cms -sign loop / signet sign -F cms        target >= 30
#   FILES x 64 KiB, P-256          signet sign, SoftHSM2 key / software key           target <= 2
#
# signet runs with -q: openssl's loop prints nothing either. Bundles have no openssl
# equivalent; the raw loop stands in for them.
#
# PAIRS (default 3) is the number of A/B pairs against openssl (each loop takes seconds),
# TOKEN_PAIRS (default 11) for the token comparison; -t runs the token comparison only. The
# in-process split of a run into hashing+signing and writing is BenchmarkSignFiles and
# BenchmarkSignFilesToken in sign/:
#   go test -run '^$' -bench 'SignFiles' -benchtime 5x ./sign/
set -euo pipefail

pairs=3
token_pairs=11
nfiles=1000
token_only=
while getopts "n:N:f:t" opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	N) token_pairs=$OPTARG ;;
	f) nfiles=$OPTARG ;;
	t) token_only=1 ;;
	*) sed -n '2,8p' "$0" >&2; exit 2 ;;
	esac
done

for tool in go openssl; do
	command -v "$tool" >/dev/null || { echo "sign.sh: $tool is required" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/lib.sh" # timed, median, ms, compare
bench_label_width=58
bench_ratio_format=%7.3f
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
openssl req -new -x509 -key "$work/p256.key" -subj /CN=bench -days 2 -addext extendedKeyUsage=codeSigning -out "$work/p256.pem" 2>/dev/null

# The openssl loop as a release script would write it: one process per file.
cat >"$work/openssl-loop.sh" <<'EOF'
for f in "$@"; do openssl dgst -sha256 -sign "$KEY" -out "$f.osig" "$f" || exit 1; done
EOF
cat >"$work/openssl-cms-loop.sh" <<'EOF'
for f in "$@"; do openssl cms -sign -binary -in "$f" -signer "$CERT" -inkey "$KEY" -outform DER -out "$f.op7s" || exit 1; done
EOF

# reset removes every signature before each timed run, untimed, so both sides create their
# files afresh, as a release job does (replacing a thousand files is another workload).
reset() { rm -f "$work"/small/*.sig "$work"/small/*.osig "$work"/small/*.p7s "$work"/small/*.op7s "$work"/small/*.sigstore.json; }
bench_before() { reset; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(openssl version); $(go version)"
echo "ratio = first command's wall time / second's, median of alternating pairs; cpu = the same for user+system time"
echo

export KEY=$work/p256.key CERT=$work/p256.pem
[ -n "$token_only" ] || {
compare "$nfiles x 64 KiB P-256 raw: openssl loop / signet sign (want >= 30)" "$pairs" -- \
	bash "$work/openssl-loop.sh" "${files[@]}" -- \
	"$signet" sign -q --key "$work/p256.key" "${files[@]}"
compare "$nfiles x 64 KiB P-256 bundle: openssl loop / signet (want >= 30)" "$pairs" -- \
	bash "$work/openssl-loop.sh" "${files[@]}" -- \
	"$signet" sign -q -F bundle --key "$work/p256.key" --cert "$work/p256.pem" "${files[@]}"
compare "$nfiles x 64 KiB P-256 cms: openssl cms loop / signet (want >= 30)" "$pairs" -- \
	bash "$work/openssl-cms-loop.sh" "${files[@]}" -- \
	"$signet" sign -q -F cms --key "$work/p256.key" --cert "$work/p256.pem" "${files[@]}"
}

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
			"$signet" sign -q --key 'pkcs11:token=bench;object=p256' "${files[@]}" -- \
			"$signet" sign -q --key "$work/p256.key" "${files[@]}"
	else
		echo "(no libsofthsm2.so: token comparison skipped)"
	fi
else
	echo "(softhsm2-util or pkcs11-tool missing: token comparison skipped)"
fi
