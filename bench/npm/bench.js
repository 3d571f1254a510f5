// npm iso_8583 2.6.7 packing and unpacking the spec's 0200 bill payment (the message of CodecBenchmarks).
// Prints ns/op and ops/s for each, then one JSON line for scripts.
const Iso8583 = require('iso_8583');

const payment = {
  0: '0200', 3: '500000', 4: '000000015000', 7: '1122153045', 11: '000123', 12: '153045', 13: '1122',
  32: '100001', 37: 'RRN000000123', 41: 'ATM00001', 48: 'BC005ELECTAN0101234567890CH003ATM', 49: '682',
  102: 'SA0380000000608010167519',
};
// The spec's field 102 is ans..34; the library's default is ..28.
const formats = { 102: { ContentType: 'ans', Label: 'Payer account', LenType: 'llvar', MaxLen: 34 } };

const pack = () => new Iso8583(payment, formats).getBufferMessage();
const frame = pack();
if (frame.error) throw new Error(frame.error);
const unpack = () => new Iso8583({}, formats).getIsoJSON(frame, {});
const check = unpack();
if (check.error || check[48] !== payment[48]) throw new Error('the library did not read its own frame back');

function measure(name, fn, seconds) {
  for (let i = 0; i < 20000; i++) fn(); // warm-up
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(seconds * 1e9);
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1000; i++) fn();
    ops += 1000;
    now = process.hrtime.bigint();
  }
  const ns = Number(now - start) / ops;
  console.log(`${name.padEnd(7)} ${ns.toFixed(0).padStart(8)} ns/op ${Math.round(1e9 / ns).toLocaleString('en').padStart(12)} ops/s`);
  return ns;
}

const seconds = Number(process.argv[2] || 5);
const packNs = measure('pack', pack, seconds);
const unpackNs = measure('unpack', unpack, seconds);
console.log(JSON.stringify({ library: 'iso_8583@2.6.7', node: process.version, packNs, unpackNs }));
