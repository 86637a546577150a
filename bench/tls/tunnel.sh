#!/usr/bin/env bash
# bench/tls/tunnel.sh - a signet tls tunnel pair against a stunnel4 pair on the same machine:
# throughput of a 1 GiB transfer, and connections a second with a software and a token key.
#
# Usage: bench/tls/tunnel.sh [-n PAIRS] [-b BYTES] [-c CONNECTIONS]
#   (from anywhere inside the repository; needs go, openssl, stunnel4, softhsm2-util)
#
# Each side is a pair: a client tunnel (plain TCP in, mutual TLS out, client certificate) in
# front of a server tunnel (mutual TLS in, plain TCP out) in front of a sink
# (bench/tls/tcpbench), all on loopback, TLS 1.3, ECDSA P-256 client keys, the fixture server
# certificate (testdata/pki). The pairs run for the whole script; each measured command is one
# tcpbench process:
#
#   1 GiB through the pair: stunnel4 / signet    wall-time ratio, target >= 1 (signet at least
#                                                as fast); tcpbench prints the MB/s
#   CONNECTIONS connections, one at a time, each a handshake and a round trip:
#     signet, token key / signet, software key   the token's cost per handshake (SoftHSM2)
#     stunnel4 / signet, token key               the setup rate against stunnel's, full
#                                                handshakes both; and against stunnel
#                                                resuming sessions (its default), for reference
#
# The machine is shared and noisy, so every comparison alternates the two commands (A B A B
# ...) and reports the median of the per-pair wall-time ratios A/B, and of the CPU time of the
# tcpbench process alone (the tunnels' CPU is not counted in that column).
set -euo pipefail

pairs=5
bytes=$((1 << 30))
conns=300
while getopts "n:b:c:" opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	b) bytes=$OPTARG ;;
	c) conns=$OPTARG ;;
	*) sed -n '2,6p' "$0" >&2; exit 2 ;;
	esac
done
for tool in go openssl stunnel4 softhsm2-util; do
	command -v "$tool" >/dev/null || { echo "tunnel.sh: $tool is required" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/lib.sh" # timed, median, ms, compare
bench_label_width=60
work=$(mktemp -d "${TMPDIR:-/tmp}/signet-bench.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$root" && go build -tags urfave_cli_no_docs -o "$work/signet" ./cmd/signet && go build -o "$work/tcpbench" ./bench/tls/tcpbench)
signet=$work/signet
tcpbench=$work/tcpbench
pki=$root/testdata/pki

# wait_file FILE: until a process has written its address there.
wait_file() {
	local i
	for ((i = 0; i < 400; i++)); do [ -s "$1" ] && return 0; sleep 0.05; done
	echo "tunnel.sh: $1 never appeared" >&2; exit 1
}
wait_port() {
	local i
	for ((i = 0; i < 400; i++)); do (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null && return 0; sleep 0.05; done
	echo "tunnel.sh: nothing listens on $1" >&2; exit 1
}
free_port() { "$tcpbench" sink --listen 127.0.0.1:0 --addr-file "$work/probe" & local p=$!; wait_file "$work/probe"; cat "$work/probe"; kill $p; wait $p 2>/dev/null || true; rm -f "$work/probe"; }

echo "preparing keys, a SoftHSM2 token and the tunnels in $work ..." >&2
export SIGNET_PASSPHRASE=bench SIGNET_HOME=$work/home
"$signet" key gen --type ec-p256 -o "$work/soft.key" >/dev/null
"$signet" csr --key "$work/soft.key" --subject 'CN=bench software,O=Example' -o "$work/soft.csr"
"$signet" cert create --profile client --csr "$work/soft.csr" --ca "$pki/int-ca.pem" --ca-key "$pki/int-ca.key" -o "$work/soft.pem" >/dev/null
cat "$work/soft.pem" "$pki/int-ca.pem" >"$work/soft-chain.pem"
openssl pkey -in "$work/soft.key" -passin env:SIGNET_PASSPHRASE -out "$work/soft-plain.key" # for stunnel

module=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*-linux-gnu/softhsm/libsofthsm2.so; do [ -e "$m" ] && module=$m && break; done
mkdir "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf SIGNET_PKCS11_MODULE=$module SIGNET_PIN=1234
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null
token='pkcs11:token=bench;object=client'
"$signet" enroll --token "$token" --type ec-p256 --subject 'CN=bench token,O=Example' \
	--ca "$pki/int-ca.pem" --ca-key "$pki/int-ca.key" >/dev/null

"$tcpbench" sink --addr-file "$work/sink.addr" & pids+=($!)
wait_file "$work/sink.addr"
sink=$(cat "$work/sink.addr")

# signet: one server tunnel, two client tunnels (software key, token key). The token holds
# only the leaf, so the server side is given the intermediate.
tunnel() { "$signet" tls tunnel --listen 127.0.0.1:0 --addr-file "$work/$1.addr" --idle-timeout 0 "${@:2}" 2>"$work/$1.log" & pids+=($!); wait_file "$work/$1.addr"; }
tunnel srv --tls --forward "$sink" --cert "$pki/server-chain.pem" --key "$pki/server.key" --client-roots "$pki/root-ca.pem" \
	--intermediates "$pki/int-ca.pem"
tunnel soft --connect "$(cat "$work/srv.addr")" --host www.example.com --cert "$work/soft-chain.pem" --key "$work/soft.key" --roots "$pki/root-ca.pem"
tunnel tok --connect "$(cat "$work/srv.addr")" --host www.example.com --key "$token" --roots "$pki/root-ca.pem"
signet_soft=$(cat "$work/soft.addr") signet_tok=$(cat "$work/tok.addr")

# stunnel4: the same pair. Its client side resumes sessions by default (a resumed handshake
# sends no certificate and signs nothing); signet's tunnel makes a full handshake for every
# connection. The comparison uses a stunnel client with sessionResume = no; the resuming one
# is measured too, for reference.
st_srv=$(free_port) st_cli=$(free_port) st_res=$(free_port)
cat >"$work/stunnel.conf" <<EOF
foreground = yes
pid =
debug = err
[server]
accept = $st_srv
connect = $sink
cert = $pki/server-chain.pem
key = $pki/server.key
CAfile = $pki/root-ca.pem
verifyChain = yes
requireCert = yes
[client]
client = yes
accept = $st_cli
connect = $st_srv
cert = $work/soft-chain.pem
key = $work/soft-plain.key
CAfile = $pki/root-ca.pem
verifyChain = yes
checkHost = www.example.com
sessionResume = no
[client-resuming]
client = yes
accept = $st_res
connect = $st_srv
cert = $work/soft-chain.pem
key = $work/soft-plain.key
CAfile = $pki/root-ca.pem
verifyChain = yes
checkHost = www.example.com
EOF
stunnel4 "$work/stunnel.conf" 2>"$work/stunnel.log" & pids+=($!)
wait_port "$st_cli"
wait_port "$st_res"

# Each tcpbench run appends what it printed to a file named after the address it used.
bench_run() { "$@" >>"$work/out.${4//[:.]/_}"; }
rate() { awk '{print $1}' "$work/out.${1//[:.]/_}" | median; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(stunnel4 -version 2>&1 | grep -m1 '^stunnel'); $(go version)"
echo "ratio = first command's wall time / second's, median of alternating pairs"
echo

compare "$((bytes >> 20)) MiB through the pair: stunnel4 / signet (want >= 1)" "$pairs" -- \
	"$tcpbench" send --connect "$st_cli" --bytes "$bytes" -- \
	"$tcpbench" send --connect "$signet_soft" --bytes "$bytes"
echo "    MB/s, median: stunnel4 $(rate "$st_cli"), signet $(rate "$signet_soft")"
rm -f "$work"/out.*

compare "$conns connections: signet token key / software key" "$pairs" -- \
	"$tcpbench" dial --connect "$signet_tok" --n "$conns" -- \
	"$tcpbench" dial --connect "$signet_soft" --n "$conns"
compare "$conns connections: stunnel4 full handshakes / signet token key" "$pairs" -- \
	"$tcpbench" dial --connect "$st_cli" --n "$conns" -- \
	"$tcpbench" dial --connect "$signet_tok" --n "$conns"
compare "$conns connections: stunnel4 resuming / signet token key" "$pairs" -- \
	"$tcpbench" dial --connect "$st_res" --n "$conns" -- \
	"$tcpbench" dial --connect "$signet_tok" --n "$conns"
echo "    connections/s, median: signet token key $(rate "$signet_tok"), software key $(rate "$signet_soft"), stunnel4 $(rate "$st_cli") (resuming: $(rate "$st_res"))"
