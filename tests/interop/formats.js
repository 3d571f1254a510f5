// Where the library's default ISO 8583:1987 formats differ from the scheme's spec
// (../../../shared/spec/iso8583-bill-payment.md), the spec wins.
module.exports = {
  // Spec: payer account ans..34 (the library's default is ..28).
  102: { ContentType: 'ans', Label: 'Payer account', LenType: 'llvar', MaxLen: 34 },
  // Spec: MAC b8, 8 raw bytes. The library counts binary lengths in hex digits.
  128: { ContentType: 'b', Label: 'Message authentication code', LenType: 'fixed', MaxLen: 16 },
};
