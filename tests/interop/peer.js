// An independent ISO 8583 peer over the npm package iso_8583, for interop tests.
// JSON lines on stdin, one answer per line on stdout:
//   {"op":"pack","message":{"mti":"0200","fields":{"3":"500000",...}}} -> {"ok":true,"hex":"<2-byte length + message>"}
//   {"op":"unpack","hex":"<2-byte length + message>"}                    -> {"ok":true,"message":{...}}
// Binary fields (128) are hex; failures answer {"ok":false,"error":"..."} and the peer carries on.
const readline = require('readline');
const Iso8583 = require('iso_8583');
const formats = require('./formats');

function pack(message) {
  const data = { 0: message.mti };
  for (const [field, value] of Object.entries(message.fields)) data[field] = value;
  const buffer = new Iso8583(data, formats).getBufferMessage();
  if (buffer.error) throw new Error(buffer.error);
  return buffer.toString('hex');
}

function unpack(hex) {
  const json = new Iso8583({}, formats).getIsoJSON(Buffer.from(hex, 'hex'), {});
  if (json.error) throw new Error(json.error);
  const fields = {};
  for (const [field, value] of Object.entries(json)) {
    if (field !== '0' && field !== '1') fields[field] = value;
  }
  return { mti: json[0], fields };
}

function answer(line) {
  try {
    const request = JSON.parse(line);
    if (request.op === 'pack') return { ok: true, hex: pack(request.message) };
    if (request.op === 'unpack') return { ok: true, message: unpack(request.hex) };
    return { ok: false, error: `unknown op '${request.op}'` };
  } catch (e) {
    return { ok: false, error: String(e && e.message ? e.message : e) };
  }
}

module.exports = { pack, unpack };

if (require.main === module) {
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim()) process.stdout.write(JSON.stringify(answer(line)) + '\n');
  });
}
