#!/usr/bin/env bash
# bench/verify/verify.sh - signet verify against openssl and coreutils, measured side by side.
#
# Usage: bench/verify/verify.sh [-n LOOP_PAIRS] [-N MANIFEST_PAIRS] [-b SIGNET_BINARY] [-c]
#                               [-o OTHER_SIGNET_BINARY]
#   (from anywhere inside the repository; needs go, openssl, coreutils)
#
# It builds signet, prepares a release of 1000 files of 64 KiB in a temporary directory
# (removed at the end): a raw ECDSA P-256 SHA-256 signature beside each (FILE.sig, made by
# `signet sign --format raw` when this signet has it, else by openssl dgst -sign), and a
# SHA256SUMS list of them (sha256sum) signed as CMS with the chain (openssl cms -sign), all
# with the fixture code signer of testdata/pki. Then, as bench/hash/hash.sh does, it runs the
# two sides alternately (A B A B ...) and prints the median of the per-pair ratios of wall
# time (the figure the targets are about) and of CPU time, with the median times. Times are of
# whole processes, start-up included, output to /dev/null, files in the page cache.
#
#   1000 raw signatures: a shell loop of `openssl dgst -sha256 -verify` / one
#       `signet verify --key PUB FILE...`                                    target >= 30
#   the signed list: `sha256sum -c SHA256SUMS && openssl cms -verify` / `signet verify
#       --manifest SHA256SUMS` (both under sh -c, in the release directory)  target > 1
#   one three-level chain: `openssl verify -CAfile ROOT -untrusted INT LEAF` / `signet cert
#       verify --roots ROOT --intermediates INT LEAF`, for an all-P-256 chain made here with
#       openssl and for the fixture chain (P-384 root, RSA-3072 intermediate)  target >= 2
#
# LOOP_PAIRS (default 5) is the number of pairs for the loop, MANIFEST_PAIRS (default 21) for
# the manifest and each chain. -b takes a signet binary in place of building this tree's (to
# measure a build before a change the same way); -c runs the two chain comparisons only,
# without preparing the 1000 files; -o also runs each chain with this signet against another
# build, alternately (this / other: below 1 when this one is faster).
set -euo pipefail

loop_pairs=5
manifest_pairs=21
bin=
other=
chains_only=
while getopts "n:N:b:co:" opt; do
	case $opt in
	n) loop_pairs=$OPTARG ;;
	N) manifest_pairs=$OPTARG ;;
	b) bin=$OPTARG ;;
	c) chains_only=1 ;;
	o) other=$OPTARG ;;
	*) sed -n '2,4p' "$0" >&2; exit 2 ;;
	esac
done

for tool in go openssl sha256sum split; do
	command -v "$tool" >/dev/null || { echo "verify.sh: $tool is required" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/lib.sh" # timed, median, ms, compare
bench_label_width=58
bench_ratio_format=%7.2f
# the measured commands' stderr is not wanted either (openssl cms -verify prints a line)
bench_run() { "$@" >/dev/null 2>&1; }
pki=$root/testdata/pki
work=$(mktemp -d "${TMPDIR:-/tmp}/signet-bench-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -n "$bin" ]; then
	cat "$bin" >"$work/signet" # written as go build writes it: see bench/startup/startup.sh -o
	chmod +x "$work/signet"
else
	(cd "$root" && go build -tags urfave_cli_no_docs -o "$work/signet" ./cmd/signet)
fi
signet=$work/signet
export SIGNET_HOME=$work/home # never the developer's identity

rel=$work/release
made_by="none (-c)"
if [ -z "$chains_only" ]; then
echo "preparing 1000 files of 64 KiB and their signatures in $work ..." >&2
mkdir "$rel"
head -c $((1000 * 65536)) /dev/urandom | split -b 65536 -a 4 -d - "$rel/f"
files=("$rel"/f*)
openssl pkey -in "$pki/codesign.key" -pubout -out "$work/codesign.pub"
if "$signet" sign --help >/dev/null 2>&1; then
	made_by="signet sign --format raw"
	"$signet" sign -q --key "$pki/codesign.key" --format raw "${files[@]}"
else
	made_by="openssl dgst -sha256 -sign"
	for f in "${files[@]}"; do
		openssl dgst -sha256 -sign "$pki/codesign.key" -out "$f.sig" "$f"
	done
fi
(cd "$rel" && sha256sum f???? >SHA256SUMS)
openssl cms -sign -binary -outform DER -in "$rel/SHA256SUMS" -signer "$pki/codesign.pem" \
	-inkey "$pki/codesign.key" -certfile "$pki/int-ca.pem" -out "$rel/SHA256SUMS.p7s"
cat "$rel"/* >/dev/null # into the page cache

# Both sides must agree that everything verifies before anything is timed.
"$signet" verify --key "$work/codesign.pub" "${files[@]}" >/dev/null
"$signet" verify --roots "$pki/root-ca.pem" --at 2026-06-01 --manifest "$rel/SHA256SUMS" >/dev/null
(cd "$rel" && sha256sum -c --quiet SHA256SUMS && openssl cms -verify -binary -inform DER \
	-in SHA256SUMS.p7s -content SHA256SUMS -CAfile "$pki/root-ca.pem" -purpose any \
	-attime 1780272000 -out /dev/null 2>/dev/null)
fi

# A three-level P-256 chain, made by openssl, for the chain comparison.
chain=$work/chain
bench_p256_chain "$chain"
"$signet" cert verify --roots "$chain/root.pem" --intermediates "$chain/int.pem" --host server.example.com "$chain/leaf.pem" >/dev/null
openssl verify -CAfile "$chain/root.pem" -untrusted "$chain/int.pem" "$chain/leaf.pem" >/dev/null
"$signet" cert verify --roots "$pki/root-ca.pem" --intermediates "$pki/int-ca.pem" --at 2026-06-01 "$pki/server.pem" >/dev/null
openssl verify -attime 1780272000 -CAfile "$pki/root-ca.pem" -untrusted "$pki/int-ca.pem" "$pki/server.pem" >/dev/null

# The openssl side of the first comparison: one process per file, as a release script would.
openssl_loop() {
	local f
	for f in "${files[@]}"; do
		openssl dgst -sha256 -verify "$work/codesign.pub" -signature "$f.sig" "$f" >/dev/null || return 1
	done
}

manifest_openssl="cd '$rel' && sha256sum -c --quiet SHA256SUMS && openssl cms -verify -binary -inform DER -in SHA256SUMS.p7s -content SHA256SUMS -CAfile '$pki/root-ca.pem' -purpose any -attime 1780272000 -out /dev/null"
manifest_signet="cd '$rel' && '$signet' verify --roots '$pki/root-ca.pem' --at 2026-06-01 --manifest SHA256SUMS"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(openssl version); $(sha256sum --version | head -1); $(go version)"
echo "signatures made by: $made_by; ratio = first command's wall time / second's, median of alternating pairs; cpu = the same for user+system time"
echo
if [ -z "$chains_only" ]; then
	compare "1000 x 64 KiB raw P-256: openssl loop / signet (want >= 30)" "$loop_pairs" -- openssl_loop -- "$signet" verify --key "$work/codesign.pub" "${files[@]}"
	compare "manifest of 1000: sha256sum -c + cms -verify / signet (want > 1)" "$manifest_pairs" -- sh -c "$manifest_openssl" -- sh -c "$manifest_signet"
fi
compare "P-256 chain: openssl verify / signet cert verify (want >= 2)" "$manifest_pairs" \
	-- openssl verify -CAfile "$chain/root.pem" -untrusted "$chain/int.pem" "$chain/leaf.pem" \
	-- "$signet" cert verify --roots "$chain/root.pem" --intermediates "$chain/int.pem" "$chain/leaf.pem"
compare "P-384/RSA-3072 chain: openssl verify / signet cert verify" "$manifest_pairs" \
	-- openssl verify -attime 1780272000 -CAfile "$pki/root-ca.pem" -untrusted "$pki/int-ca.pem" "$pki/server.pem" \
	-- "$signet" cert verify --roots "$pki/root-ca.pem" --intermediates "$pki/int-ca.pem" --at 2026-06-01 "$pki/server.pem"
if [ -n "$other" ]; then
	cat "$other" >"$work/other" # written alike, as startup.sh -o does
	chmod +x "$work/other"
	compare "P-256 chain: signet cert verify / other build" "$manifest_pairs" \
		-- "$signet" cert verify --roots "$chain/root.pem" --intermediates "$chain/int.pem" "$chain/leaf.pem" \
		-- "$work/other" cert verify --roots "$chain/root.pem" --intermediates "$chain/int.pem" "$chain/leaf.pem"
	compare "P-384/RSA-3072 chain: signet cert verify / other build" "$manifest_pairs" \
		-- "$signet" cert verify --roots "$pki/root-ca.pem" --intermediates "$pki/int-ca.pem" --at 2026-06-01 "$pki/server.pem" \
		-- "$work/other" cert verify --roots "$pki/root-ca.pem" --intermediates "$pki/int-ca.pem" --at 2026-06-01 "$pki/server.pem"
fi
