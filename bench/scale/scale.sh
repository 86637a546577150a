#!/usr/bin/env bash
# bench/scale/scale.sh - how signet's cost grows with the number of files (issue 15): the
# scaling curve of sign, verify and hash over 100, 1,000, 10,000 (and with -m 100000) files
# of 1 KiB, as ratios, and peak memory.
#
# Usage: bench/scale/scale.sh [-m MAXFILES] [-r RUNS] [-p PEERMAX] [-s BYTES]
#   (from anywhere inside the repository; needs go, openssl, GNU time at /usr/bin/time)
#
# For each size N (100, then x10 up to MAXFILES, default 10000) it prints, per step, the
# median wall and CPU (user + system) times of RUNS runs (default 3), each with its ratio to
# the same step at N/10 (linear is 10; the goal of issue 15 is <= 11), and the peak RSS of
# the last run (issue 15's goal: <= 32 MiB, the same at 10,000, 100,000 and 1,000,000 files;
# -s 1 makes files of one byte, so that -m 1000000 needs no more than the inodes):
#
#   sign fresh     signet sign -r DIR (P-256, raw) into a new directory: no signatures ever
#   sign deleted   signet sign --files-from LIST, right after the previous signatures of those
#                  files were deleted (on ext4 without
#                  a journal, creating a file then scans past each recently deleted inode)
#   verify         signet verify --key PUB --files-from LIST (Ed25519: each file read whole)
#   hash           signet hash --files-from LIST
#
# and, up to PEERMAX files (default 1000: a loop of one process per file is slow), the same
# work by the peers the issue names, as the ratio peer / signet (> 1: signet is faster):
#   openssl dgst -sha256 -sign in a loop; openssl dgst -verify in a loop (Ed25519: pkeyutl
#   -verify -rawin); openssl dgst -sha256 FILE... in one process (xargs); sha256sum FILE...
# The machine is shared and noisy: read ratios, not times, and run it more than once.
set -euo pipefail

maxfiles=10000
runs=3
peermax=1000
size=1024
while getopts "m:r:p:s:" opt; do
	case $opt in
	m) maxfiles=$OPTARG ;;
	r) runs=$OPTARG ;;
	p) peermax=$OPTARG ;;
	s) size=$OPTARG ;;
	*) sed -n '5,6p' "$0" >&2; exit 2 ;;
	esac
done
for tool in go openssl /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "scale.sh: $tool is required" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/signet-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -tags urfave_cli_no_docs -o "$work/signet" ./cmd/signet)
signet=$work/signet
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/p256.key" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$work/ed.key" 2>/dev/null
openssl pkey -in "$work/ed.key" -pubout -out "$work/ed.pub" 2>/dev/null

# run CMD...: runs CMD RUNS times (BEFORE, if set, untimed before each) and sets t (median
# wall ms), c (median CPU ms, user + system) and rss (KiB, of the last run).
run() {
	local i s e ts=() cs=()
	for ((i = 0; i < runs; i++)); do
		[ -n "${before:-}" ] && eval "$before"
		s=${EPOCHREALTIME/./}
		/usr/bin/time -f '%M %U %S' -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
		e=${EPOCHREALTIME/./}
		ts+=($(((e - s) / 1000)))
		cs+=($(tail -1 "$work/rss" | awk '{printf "%d", ($2 + $3) * 1000}'))
	done
	t=$(printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	c=$(printf '%s\n' "${cs[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	rss=$(tail -1 "$work/rss" | awk '{print $1}')
}

declare -A prev prevc
line() { # STEP N: prints the step's times, their ratios to N/10, its peak RSS
	local r=- rc=-
	[ -n "${prev[$1]:-}" ] && r=$(awk -v a="$t" -v b="${prev[$1]}" 'BEGIN {printf "%.1f", a / b}')
	[ -n "${prevc[$1]:-}" ] && rc=$(awk -v a="$c" -v b="${prevc[$1]}" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "-"}')
	prev[$1]=$t
	prevc[$1]=$c
	printf "%-14s %7d files  wall %7d ms x%-5s  cpu %7d ms x%-5s  peak RSS %3d MiB\n" "$1" "$2" "$t" "$r" "$c" "$rc" $((rss / 1024))
}
peer() { # LABEL PEER_MS SIGNET_MS
	printf "%-16s %12s peer/signet %6.2f  (%d ms vs %d ms)\n" "$1" "" "$(awk -v a="$2" -v b="$3" 'BEGIN {print a / b}')" "$2" "$3"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(df -T "$work" | awk 'NR==2 {print $2}') at $work; $(openssl version); $(go version)"
echo "median of $runs runs per point; files of $size bytes; ratio = time(N) / time(N/10)"
for ((n = 100; n <= maxfiles; n *= 10)); do
	d=$work/n$n
	mkdir -p "$d/f"
	head -c $((n * size)) /dev/urandom | split -b "$size" -a 7 -d - "$d/f/x"
	(cd "$d" && find f -type f -print0 | sort -z >list)
	cat "$d"/f/* >/dev/null
	cd "$d"
	# A new copy of the files for each run, reached through the link cur (nothing is deleted
	# until the size is done: deleting is what the second step measures).
	k=0
	before='k=$((k + 1)); cp -r f g$k; ln -sfn g$k cur; sync'
	run "$signet" sign --key "$work/p256.key" -r cur
	line "sign fresh" "$n"
	before="rm -f $d/f/*.sig 2>/dev/null || find $d/f -name '*.sig' -delete; $signet sign --key $work/p256.key --files-from list; find $d/f -name '*.sig' -delete; sync"
	run "$signet" sign --key "$work/p256.key" --files-from list
	line "sign deleted" "$n"
	sign_ms=$t
	before=
	find f -name '*.sig' -delete
	"$signet" sign -q --key "$work/ed.key" --files-from list
	run "$signet" verify --key "$work/ed.pub" --files-from list
	line "verify" "$n"
	verify_ms=$t
	run "$signet" hash --files-from list
	line "hash" "$n"
	hash_ms=$t
	if [ "$n" -le "$peermax" ]; then
		printf '%s\n' f/* | grep -v '\.sig$' >plain
		run sh -c 'while read -r f; do openssl dgst -sha256 -sign "$0" -out "$f.osig" "$f" || exit 1; done <plain' "$work/p256.key"
		peer "  openssl sign" "$t" "$sign_ms"
		run sh -c 'while read -r f; do openssl pkeyutl -verify -pubin -inkey "$0" -rawin -in "$f" -sigfile "$f.sig" >/dev/null || exit 1; done <plain' "$work/ed.pub"
		peer "  openssl verify" "$t" "$verify_ms"
		run sh -c 'xargs openssl dgst -sha256 <plain'
		peer "  openssl dgst" "$t" "$hash_ms"
		run sh -c 'xargs sha256sum <plain'
		peer "  sha256sum" "$t" "$hash_ms"
		find f -name '*.osig' -delete
	fi
	cd "$work"
	rm -rf "$d"
done
