#!/usr/bin/env bash
# Runs the codec's pack/unpack benchmarks and npm iso_8583 on the same 0200 bill payment, in one run,
# and prints how many times faster the codec is. Usage: bench/compare.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
(cd npm && [ -d node_modules ] || npm ci --silent --no-audit --no-fund)

artifacts=$(mktemp -d)
dotnet run -c Release --project Switch.Bench -- --filter '*CodecBenchmarks.Pack' '*CodecBenchmarks.Unpack' \
  --exporters csv --artifacts "$artifacts" >/dev/null
npm_json=$(node npm/bench.js 5 | tail -1)

node - "$artifacts"/results/*CodecBenchmarks-report.csv "$npm_json" <<'JS'
const fs = require('fs');
const [csvFile, npmJson] = process.argv.slice(2);
const [header, ...rows] = fs.readFileSync(csvFile, 'utf8').trim().split('\n').map(l => l.split(','));
const col = name => header.indexOf(name);
const toNs = text => { const [v, unit] = text.replace(/"/g, '').split(' '); return parseFloat(v.replace(/,/g, '')) * ({ ns: 1, 'μs': 1e3, us: 1e3, ms: 1e6 }[unit] ?? 1); };
const ours = Object.fromEntries(rows.map(r => [r[col('Method')], { ns: toNs(r[col('Mean')]), alloc: r[col('Allocated')] }]));
const npm = JSON.parse(npmJson);
for (const [op, theirs] of [['Pack', npm.packNs], ['Unpack', npm.unpackNs]]) {
  console.log(`${op.padEnd(6)} codec ${ours[op].ns.toFixed(1).padStart(7)} ns (${ours[op].alloc} allocated)   npm iso_8583 ${theirs.toFixed(0).padStart(6)} ns   ratio ${(theirs / ours[op].ns).toFixed(1)}x`);
}
JS
rm -rf "$artifacts"
