#!/usr/bin/env bash
# bench/startup/startup.sh - signet's process start-up against openssl's, measured side by side.
#
# Usage: bench/startup/startup.sh [-n PAIRS] [-b SIGNET_BINARY] [-o OTHER_SIGNET_BINARY]
#   (from anywhere inside the repository; needs go and openssl)
#
# It builds signet as the README's Install section does (cgo, -tags urfave_cli_no_docs), or
# takes -b BINARY to compare two builds, then runs each pair of commands alternately
# (A B A B ...) and prints, as the other bench scripts do, the median of the per-pair ratios
# of wall time and of CPU time, with the median times:
#
#   `signet --version` / `openssl version`                                 target <= 0.8
#   `signet cert verify --roots ROOT --intermediates INT --at T LEAF` /
#       `openssl verify -CAfile ROOT -untrusted INT -attime T LEAF` (the fixture chain)
#                                                                          target <= 0.5
#   a Go hello-world built with cgo (as signet is) / `openssl version`: the floor that any
#       Go program with cgo starts from, whatever signet does
#   the same hello-world importing every standard package signet links, and urfave/cli /
#       `openssl version`: the floor of signet's dependencies alone (their init, their size)
#
# with -o, the same two commands of this signet against another build (before / after a change),
# and the package initialisation that GODEBUG=inittrace=1 reports for `signet --version`:
# the total of its init clock times and allocations, and the five slowest packages.
#
# When valgrind is installed, it also counts the instructions of one run of each of the two
# signet commands (callgrind, the median of three runs; of both builds with -o): counts repeat
# to within a few percent where times on a shared machine move twice as much, so they tell two
# builds apart when the pairs cannot. They leave out the kernel's work (exec, page faults),
# which is most of `signet --version`'s time.
#
# PAIRS (default 101) is the number of pairs of each comparison.
set -euo pipefail

pairs=101
bin=
other=
while getopts "n:b:o:" opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	b) bin=$OPTARG ;;
	o) other=$OPTARG ;;
	*) sed -n '2,4p' "$0" >&2; exit 2 ;;
	esac
done

for tool in go openssl; do
	command -v "$tool" >/dev/null || { echo "startup.sh: $tool is required" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$root/bench/lib.sh"

if [ -z "$bin" ]; then
	(cd "$root" && go build -tags urfave_cli_no_docs -o "$work/signet" ./cmd/signet)
	bin=$work/signet
fi
mkdir "$work/hello"
printf 'package main\n\nimport "C"\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' >"$work/hello/main.go"
printf 'module hello\n' >"$work/hello/go.mod"
(cd "$work/hello" && CGO_ENABLED=1 go build -o "$work/hello-cgo" .)
mkdir "$work/deps"
{
	printf 'package main\n\nimport "C"\nimport "os"\n\nimport (\n'
	(cd "$root" && go list -deps -tags urfave_cli_no_docs -f '{{if .Standard}}{{.ImportPath}}{{end}}' ./cmd/signet) |
		grep -Ev '^(C|unsafe|runtime/cgo)$|^(internal|vendor)/|/internal(/|$)' | sed 's/.*/\t_ "&"/'
	printf '\t_ "github.com/urfave/cli/v2"\n)\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n'
} >"$work/deps/main.go"
cp "$root/go.mod" "$root/go.sum" "$work/deps/"
sed -i 's|^module .*|module deps|' "$work/deps/go.mod"
(cd "$work/deps" && CGO_ENABLED=1 go build -mod=mod -tags urfave_cli_no_docs -o "$work/hello-deps" .)
pki=$root/testdata/pki
at=2026-06-01T00:00:00Z
attime=$(date -d "$at" +%s)

bench_label_width=40
compare "signet --version / openssl version" "$pairs" -- "$bin" --version -- openssl version
compare "cert verify / openssl verify" "$pairs" -- \
	"$bin" cert verify --roots "$pki/root-ca.pem" --intermediates "$pki/int-ca.pem" --at "$at" "$pki/codesign.pem" -- \
	openssl verify -CAfile "$pki/root-ca.pem" -untrusted "$pki/int-ca.pem" -attime "$attime" "$pki/codesign.pem"
compare "floor: Go hello (cgo) / openssl version" "$pairs" -- "$work/hello-cgo" -- openssl version
compare "floor: hello + std + urfave / openssl" "$pairs" -- "$work/hello-deps" -- openssl version

if [ -n "$other" ]; then
	# Both binaries are written anew the same way first: how a file was written changes how
	# many page faults a run of it takes (here a binary the Go linker wrote took about 430
	# and a copy of it made by cp or cat about 530, 8% of the run), so two builds compare
	# only as files written alike.
	cat "$bin" >"$work/this"
	cat "$other" >"$work/other"
	chmod +x "$work/this" "$work/other"
	compare "signet --version / other build" "$pairs" -- "$work/this" --version -- "$work/other" --version
	compare "cert verify / other build" "$pairs" -- \
		"$work/this" cert verify --roots "$pki/root-ca.pem" --intermediates "$pki/int-ca.pem" --at "$at" "$pki/codesign.pem" -- \
		"$work/other" cert verify --roots "$pki/root-ca.pem" --intermediates "$pki/int-ca.pem" --at "$at" "$pki/codesign.pem"
fi

if command -v valgrind >/dev/null; then
	verify_args=(cert verify --roots "$pki/root-ca.pem" --intermediates "$pki/int-ca.pem" --at "$at" "$pki/codesign.pem")
	for cmd in --version "cert verify"; do
		if [ "$cmd" = --version ]; then args=(--version); else args=("${verify_args[@]}"); fi
		n=$(icount "$bin" "${args[@]}")
		if [ -n "$other" ]; then
			o=$(icount "$other" "${args[@]}")
			printf "%-40s %s against %s (%s)\n" "instructions, $cmd / other build" "$n" "$o" \
				"$(awk -v a="$n" -v b="$o" 'BEGIN {if (b > 0) printf "%.3f", a / b; else print "nan"}')"
		else
			printf "%-40s %s\n" "instructions, $cmd" "$n"
		fi
	done
fi

# init ms @... ms clock, BYTES bytes, N allocs: sum over the packages of one run.
GODEBUG=inittrace=1 "$bin" --version 2>"$work/inittrace" >/dev/null
awk '/^init / {ms += $5; bytes += $8; allocs += $10; n++}
	END {printf "%-40s %d packages, %.3f ms clock, %d bytes, %d allocs\n", "init (GODEBUG=inittrace=1)", n, ms, bytes, allocs}' "$work/inittrace"
sort -k5 -g -r "$work/inittrace" | awk '/^init / && n < 5 {printf "%-40s   %s %s ms, %s bytes\n", "", $2, $5, $8; n++}'
