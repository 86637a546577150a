#!/usr/bin/env bash
# signet's main job, end to end, on a fresh Debian machine with Go installed: build signet,
# hash a release, make an encrypted signing key and a CSR for it, and check the results with
# openssl. Everything happens in a temporary directory that is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v openssl >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openssl >/dev/null
fi

go build -o bin/signet ./cmd/signet
signet="$PWD/bin/signet"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

head -c 1048576 /dev/urandom > release.tar.gz
echo "notes for the release" > NOTES.txt
step "$signet" version
step "$signet" hash release.tar.gz NOTES.txt
"$signet" hash release.tar.gz NOTES.txt > SHA256SUMS
step "$signet" hash --check SHA256SUMS

# The demo's passphrase comes from the environment, as in CI; at a terminal signet prompts.
export SIGNET_PASSPHRASE="demo passphrase $$"
step "$signet" key gen --type ec-p256 -o signer.key --pub-out signer.pub
step "$signet" key inspect signer.key
step "$signet" csr --key signer.key --subject 'CN=Release Bot,O=Example Corp,C=US' --san email:release@example.com -o signer.csr
step openssl req -in signer.csr -verify -noout -subject
echo
echo "demo: OK"
