#!/usr/bin/env bash
# Scans the web sample with wapiti (Debian's package) on loopback: once as a stranger (the whole site), once signed in
# as a customer (the privacy portal), once signed in as the DPO (the DPO API). Writes the text reports beside this script.
# Run from the repository root after a Release build: bash docs/scans/wapiti.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wapiti >/dev/null || { echo "wapiti is not installed: apt-get install wapiti" >&2; exit 2; }
port=${PORT:-5099}
address="http://127.0.0.1:$port"
out="$PWD/docs/scans"
work=$(mktemp -d)
Shop__Address="$address" dotnet samples/Databunker.Samples.Web/bin/Release/net10.0/Databunker.Samples.Web.dll >"$work/shop.log" 2>&1 &
shop=$!
trap 'kill $shop 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "$address/" >/dev/null && break; sleep 0.2; done

# Signs in through the sample's own forms; prints the Cookie header of the signed-in browser.
signin() {
  local jar="$work/$1.jar" token
  token=$(curl -s -c "$jar" -b "$jar" "$address/$2" | sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' | head -n 1)
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "__RequestVerificationToken=$token" $3 "$address/$4"
  awk '!/^#/ && NF==7 {printf "%s%s=%s", sep, $6, $7; sep="; "} /^#HttpOnly_/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar"
}
customer=$(signin customer "" "--data-urlencode email=scan.customer@example.com --data-urlencode name=Scan" signup)
dpo=$(signin dpo signin "--data-urlencode email=dpo@shop.example" signin)

# Wapiti loads every module, and its technology module fetches a database from the internet when it has none: an
# empty one keeps the scan on this machine.
mkdir -p "$work/config"
echo '{"apps": {}, "categories": {}}' > "$work/config/apps.json"

scan() {
  local name=$1 base=$2; shift 2
  # Every module that works on this machine alone: ssrf and xxe ask wapiti's endpoint on the internet, which this scan
  # must not contact (nothing but loopback is a target here); the sample fetches no URL and parses no XML anyway.
  # Wapiti 3.0.4's --exclude fails on Python 3.11 (a regular expression error), so the sign-out forms are in scope: an
  # attack that posts one ends the scan's session, and the pages behind it are then seen as a stranger sees them.
  wapiti -u "$address$base" --scope folder --flush-session --store-config "$work/config" --store-session "$work/session" --max-scan-time 300 --max-attack-time 60 -d 4 \
    -m "blindsql,cookieflags,csp,crlf,csrf,exec,file,htaccess,http_headers,methods,permanentxss,redirect,sql,xss" \
    -f txt -o "$out/wapiti-$name.txt" --no-bugreport "$@" >"$work/wapiti-$name.log" 2>&1 || true
  echo "wapiti ($name): report in $out/wapiti-$name.txt"
  sed -n '/Summary of vulnerabilities/,/^\*\*\*/p' "$out/wapiti-$name.txt" | grep -vE ':   0$'

}
# Wapiti's CSRF module compares a form post with its token to one with the token changed; these show by hand what the
# sample answers each (its own forms are checked by ASP.NET Core's antiforgery).
jar="$work/csrf.jar"
token=$(curl -s -c "$jar" -b "$jar" "$address/" | sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' | head -n 1)
post() { curl -s -o /dev/null -w "%{http_code}" "$@" -d "email=csrf.$RANDOM@example.com&name=x" "$address/signup"; }
echo "antiforgery on /signup: no token $(post), token without its cookie $(post --data-urlencode "__RequestVerificationToken=$token"), changed token $(post -b "$jar" --data-urlencode "__RequestVerificationToken=${token}x"), right token $(post -b "$jar" -c "$jar" --data-urlencode "__RequestVerificationToken=$token"), the same token once signed in $(post -b "$jar" --data-urlencode "__RequestVerificationToken=$token")"
# The crawler submits the forms it finds, the shop's sign-out among them, so each signed-in scan stays in the folder
# of what it scans: the customer's in the privacy portal, the DPO's in the DPO API.
scan stranger /
scan customer /privacy/portal/ -H "Cookie: $customer"
scan dpo /databunker/admin/ -H "Cookie: $dpo" -s "$address/databunker/admin/requests" -s "$address/databunker/admin/requests?state=awaitingApproval" \
  -s "$address/databunker/admin/catalog/record" -s "$address/databunker/admin/catalog/record.md" -s "$address/databunker/admin/catalog/retention-notice.md"
