#!/usr/bin/env bash
# bench/startup/nocgo.sh - would signet meet its start-up goals without cgo? signet built as
# the README's Install section builds it (cgo, for PKCS#11) against the same tree built with
# CGO_ENABLED=0 (hsm's nocgo.go: no tokens), each against openssl and against each other.
#
# Usage: bench/startup/nocgo.sh [-n PAIRS] [-p]
#   (from anywhere inside the repository; needs go and openssl; valgrind and perf if present)
#
# The method is startup.sh's: each pair of commands is run alternately (A B A B ...), and the
# median of the per-pair ratios of wall time and of CPU time is printed with the median times:
#
#   signet --version, signet --help, `signet cert verify` of the fixture chain (P-384 root,
#   RSA-3072 intermediate, --at T) and of a three-level P-256 chain made here by openssl, as
#   bench/verify/verify.sh makes it: cgo / openssl, no cgo / openssl, no cgo / cgo
#   floors: a Go hello-world without cgo, with cgo, and without cgo importing every standard
#   package signet links and urfave/cli, each / openssl version
#
# -p also measures github.com/ebitengine/purego, which calls C from a CGO_ENABLED=0 binary by
# dlopen (the way PKCS#11 could be reached without cgo): a hello-world importing it, and
# signet without cgo with hsm importing it (a file added through -overlay and the module
# required through -modfile, both in the scratch directory: the tree and go.mod are not
# touched). It needs the module proxy, or the module in the module cache.
#
# Then, for each build, the instructions of one run of `--version` and of the fixture chain's
# `cert verify` (callgrind, the median of three, as startup.sh counts them: perf stat cannot
# count instructions in this VM), and the CPU time and page faults that perf stat counts, in
# interleaved rounds (PAIRS/10 rounds of 10 runs of each build and of openssl).
#
# PAIRS (default 101) is the number of pairs of each comparison. Run it more than once: two
# copies of one static build, settled alike, once measured 1.27x of each other in 101 pairs and
# 0.99x and 1.02x in the next two tries; the instruction counts do not move so.
set -euo pipefail

pairs=101
purego=
while getopts "n:p" opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	p) purego=1 ;;
	*) sed -n '6,7p' "$0" >&2; exit 2 ;;
	esac
done

for tool in go openssl; do
	command -v "$tool" >/dev/null || { echo "nocgo.sh: $tool is required" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$root/bench/lib.sh"
purego_version=v0.11.3

build() { (cd "$root" && go build -tags urfave_cli_no_docs "$@" ./cmd/signet); }
build -o "$work/build-cgo"
CGO_ENABLED=0 build -o "$work/build-nocgo"
builds=(cgo nocgo)

# hello DIR CGO IMPORTS...: a hello-world importing IMPORTS, built with CGO_ENABLED=CGO.
hello() {
	local dir=$work/$1 cgo=$2
	shift 2
	mkdir "$dir"
	{
		printf 'package main\n\nimport "os"\n\nimport (\n'
		printf '\t_ "%s"\n' "$@"
		printf ')\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n'
	} >"$dir/main.go"
	cp "$root/go.mod" "$root/go.sum" "$dir/"
	sed -i 's|^module .*|module hello|' "$dir/go.mod"
	(cd "$dir" && CGO_ENABLED=$cgo go build -mod=mod -tags urfave_cli_no_docs -o "$work/$(basename "$dir")-bin" .)
}
hello hello-static 0 os
hello hello-cgo 1 runtime/cgo
mapfile -t std < <(cd "$root" && CGO_ENABLED=0 go list -deps -tags urfave_cli_no_docs -f '{{if .Standard}}{{.ImportPath}}{{end}}' ./cmd/signet |
	grep -Ev '^(C|unsafe|runtime/cgo)$|^(internal|vendor)/|/internal(/|$)')
hello hello-deps 0 "${std[@]}" github.com/urfave/cli/v2

if [ -n "$purego" ]; then
	cp "$root/go.mod" "$root/go.sum" "$work/"
	(cd "$root" && GOFLAGS=-mod=mod go get -modfile="$work/go.mod" "github.com/ebitengine/purego@$purego_version")
	printf '//go:build !cgo\n\npackage hsm\n\nimport _ "github.com/ebitengine/purego"\n' >"$work/purego_nocgo.go"
	printf '{"Replace": {"%s": "%s"}}\n' "$root/hsm/zz_purego_nocgo.go" "$work/purego_nocgo.go" >"$work/overlay.json"
	CGO_ENABLED=0 build -modfile="$work/go.mod" -overlay="$work/overlay.json" -o "$work/build-purego"
	builds+=(purego)
	mkdir "$work/hello-purego"
	printf 'package main\n\nimport _ "github.com/ebitengine/purego"\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' >"$work/hello-purego/main.go"
	printf 'module hello\n\ngo 1.26\n\nrequire github.com/ebitengine/purego %s\n' "$purego_version" >"$work/hello-purego/go.mod"
	(cd "$work/hello-purego" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$work/hello-purego-bin" .)
fi

# The builds are written anew the same way, and their pages dropped from the page cache, so that
# the first run of each reads it back alike: how a file came into the page cache changes the page
# faults of every run of it (see startup.sh -o), and the builds were not written alike. The cgo
# build is written by the external linker (miekg/pkcs11 is cgo outside the standard library, so
# go build links it with gcc), the others by Go's own linker; so written, the build without cgo
# took more page faults a run than the cgo build (394 against 371), and fewer once both were
# read back alike (400-444 against 480-506).
# settle FROM TO: TO is FROM written anew, executable, and out of the page cache.
settle() {
	cat "$1" >"$2"
	chmod +x "$2"
	dd if="$2" iflag=nocache count=0 status=none
}
for b in "${builds[@]}"; do
	settle "$work/build-$b" "$work/signet-$b"
done
for h in "$work"/hello-*-bin; do
	settle "$h" "$h.run"
done

pki=$root/testdata/pki
at=2026-06-01T00:00:00Z
attime=$(date -d "$at" +%s)
chain=$work/chain
bench_p256_chain "$chain"

fixture=(cert verify --roots "$pki/root-ca.pem" --intermediates "$pki/int-ca.pem" --at "$at" "$pki/codesign.pem")
ofixture=(openssl verify -CAfile "$pki/root-ca.pem" -untrusted "$pki/int-ca.pem" -attime "$attime" "$pki/codesign.pem")
p256=(cert verify --roots "$chain/root.pem" --intermediates "$chain/int.pem" "$chain/leaf.pem")
op256=(openssl verify -CAfile "$chain/root.pem" -untrusted "$chain/int.pem" "$chain/leaf.pem")
for b in "${builds[@]}"; do # every build must give the same verdicts before anything is timed
	"$work/signet-$b" "${fixture[@]}" >/dev/null
	"$work/signet-$b" "${p256[@]}" >/dev/null
done
"${ofixture[@]}" >/dev/null
"${op256[@]}" >/dev/null

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(openssl version); $(go version)"
for b in "${builds[@]}"; do
	kind=$(command -v file >/dev/null && file -b "$work/signet-$b" | cut -d, -f1-4) || kind=
	printf '%-9s %s\n' "$b:" "${kind:+$kind, }$(stat -c %s "$work/signet-$b") bytes"
done
echo "ratio = the first command's wall time / the second's, median of alternating pairs; cpu = the same for user+system time"
echo

bench_label_width=44
bench_run() { "$@" >/dev/null 2>&1; } # --help goes to stdout, but a failure should not print
# vs LABEL ARGS -- OPENSSL...: each build against openssl, then each other build against cgo's.
vs() {
	local label=$1 args=() b
	shift
	while [ "$1" != "--" ]; do args+=("$1"); shift; done
	shift
	if [ $# -gt 0 ]; then
		for b in "${builds[@]}"; do
			compare "$label, $b / openssl" "$pairs" -- "$work/signet-$b" "${args[@]}" -- "$@"
		done
	fi
	for b in "${builds[@]:1}"; do
		compare "$label, $b / cgo" "$pairs" -- "$work/signet-$b" "${args[@]}" -- "$work/signet-cgo" "${args[@]}"
	done
}
vs "--version" --version -- openssl version
vs "--help" --help --
vs "fixture chain" "${fixture[@]}" -- "${ofixture[@]}"
vs "P-256 chain" "${p256[@]}" -- "${op256[@]}"
compare "floor: Go hello, no cgo / openssl version" "$pairs" -- "$work/hello-static-bin.run" -- openssl version
compare "floor: Go hello, cgo / openssl version" "$pairs" -- "$work/hello-cgo-bin.run" -- openssl version
compare "floor: hello+std+urfave, no cgo / openssl" "$pairs" -- "$work/hello-deps-bin.run" -- openssl version
if [ -n "$purego" ]; then
	compare "floor: Go hello+purego, no cgo / openssl" "$pairs" -- "$work/hello-purego-bin.run" -- openssl version
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

if command -v valgrind >/dev/null; then
	echo
	for b in "${builds[@]}"; do
		printf "%-44s %s, cert verify (fixture) %s\n" "instructions, $b: --version" \
			"$(icount "$work/signet-$b" --version)" "$(icount "$work/signet-$b" "${fixture[@]}")"
	done
fi
# CPU time, counted by the kernel (perf stat's task clock) rather than timed: ROUNDS rounds, each
# running every build and openssl 10 times under perf stat in turn; the ratios of the mean task
# clocks within each round, and their median over the rounds (interleaved, so that a change of
# load between rounds falls on both sides of a ratio), and the median page faults of a run.
# pstat CMD...: "TASK_CLOCK_MS PAGE_FAULTS", the means of 10 runs.
pstat() {
	perf stat -x, -r 10 -e task-clock,page-faults "$@" 2>&1 >/dev/null |
		awk -F, '$3 == "task-clock" {t = $1} $3 == "page-faults" {p = $1} END {printf "%.3f %d\n", t, p}'
}
# cpu LABEL ROUNDS ARGS -- OPENSSL...
cpu() {
	local label=$1 rounds=$2 args=() b r x
	shift 2
	while [ "$1" != "--" ]; do args+=("$1"); shift; done
	shift
	local -A t=() f=()
	for ((r = 0; r < rounds; r++)); do
		for b in "${builds[@]}"; do
			x=($(pstat "$work/signet-$b" "${args[@]}"))
			t[$b]+="${x[0]} "; f[$b]+="${x[1]} "
		done
		x=($(pstat "$@"))
		t[openssl]+="${x[0]} "; f[openssl]+="${x[1]} "
	done
	# ratios A B: the median over the rounds of A's task clock / B's
	ratios() { paste <(tr ' ' '\n' <<<"${t[$1]}") <(tr ' ' '\n' <<<"${t[$2]}") | awk 'NF == 2 {printf "%.3f\n", $1 / $2}' | median; }
	mid() { tr ' ' '\n' <<<"$1" | grep . | median; }
	for b in "${builds[@]}" openssl; do
		printf "%-44s %s ms, %s page faults" "cpu, $label, $b" "$(mid "${t[$b]}")" "$(mid "${f[$b]}")"
		[ "$b" = openssl ] || printf "; / openssl %s" "$(ratios "$b" openssl)"
		[ "$b" = openssl ] || [ "$b" = cgo ] || printf "; / cgo %s" "$(ratios "$b" cgo)"
		echo
	done
}
if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then
	rounds=$(((pairs + 9) / 10))
	echo
	echo "perf stat task clock (CPU ms), $rounds interleaved rounds of 10 runs each:"
	cpu "--version" "$rounds" --version -- openssl version
	cpu "fixture chain" "$rounds" "${fixture[@]}" -- "${ofixture[@]}"
	cpu "P-256 chain" "$rounds" "${p256[@]}" -- "${op256[@]}"
fi
