#!/usr/bin/env bash
# signet's main job, end to end, on a fresh Debian machine with Go installed: build signet,
# make the zero-config local identity, sign a release with it, verify it with no other flags,
# then show that a tampered file and an openssl cross-check behave as they should.
# Everything happens in a temporary directory (its own SIGNET_HOME) that is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v openssl >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openssl >/dev/null
fi

go build -tags urfave_cli_no_docs -o bin/signet ./cmd/signet
signet="$PWD/bin/signet"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export SIGNET_HOME="$work/signet-home"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

mkdir dist
head -c 1048576 /dev/urandom > dist/release.tar.gz
echo "notes for the release" > dist/NOTES.txt

# 1. the local identity: a root, an intermediate and a code-signing key and chain
step "$signet" init
# 2. sign the release with it, then verify with no other flags
step "$signet" sign dist/release.tar.gz dist/NOTES.txt
step "$signet" verify dist/release.tar.gz dist/NOTES.txt
# 3. a signed manifest of the whole release, checked by sha256sum too
step "$signet" sign --manifest dist/SHA256SUMS dist/release.tar.gz dist/NOTES.txt
(cd dist && step sha256sum -c SHA256SUMS)
step "$signet" verify --manifest dist/SHA256SUMS
# 4. the same signature in CMS, checked by openssl cms
step "$signet" sign --format cms dist/release.tar.gz
step openssl cms -verify -binary -inform DER -in dist/release.tar.gz.p7s -content dist/release.tar.gz \
  -CAfile "$SIGNET_HOME/root.pem" -purpose any -out /dev/null
# 5. a tampered file is caught: exit 10, signature mismatch
echo "one more byte" >> dist/NOTES.txt
set +e
step "$signet" verify dist/NOTES.txt
rc=$?
set -e
[ "$rc" -eq 10 ] || { echo "demo: expected exit 10 for a tampered file, got $rc" >&2; exit 1; }

# 6. a passphrase-protected key and a CSR for a real CA (the passphrase from the environment,
#    as in CI; at a terminal signet prompts without echo)
export SIGNET_PASSPHRASE="demo passphrase $$"
step "$signet" key gen --type ec-p256 -o signer.key --pub-out signer.pub
step "$signet" csr --key signer.key --subject 'CN=Release Bot,O=Example Corp,C=US' --san email:release@example.com -o signer.csr
step openssl req -in signer.csr -verify -noout -subject
echo
echo "demo: OK"
