#!/usr/bin/env bash
# Gives the seeded billers adapters pointing at a biller simulator, so that the switch notifies them of every payment:
# the setup of bench/cpu-per-payment.sh's notification run (bench/README.md, notification cost). Run from a checkout
# built in Release, with the switch's environment. NOTIFY_URL: the simulator (./switch simulate-billers, with
# --biller CODE=$NOTIFY_KEY for each biller); NOTIFY_BATCH: notifications per request.
set -euo pipefail
cli=src/Switch/Switch.Host/bin/Release/net10.0/switch.dll
for biller in ELECT WATER TELCO TOPUP; do
  dotnet "$cli" notifications adapter --biller "$biller" --endpoint "${NOTIFY_URL:?}/$biller" --key "${NOTIFY_KEY:?}" \
    --rate 100000 --in-flight 4 --batch "${NOTIFY_BATCH:-100}"
done
