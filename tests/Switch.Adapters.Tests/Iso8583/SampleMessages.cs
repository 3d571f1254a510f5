using Switch.Adapters.Iso8583;

namespace Switch.Adapters.Tests.Iso8583;

/// <summary>Messages of the spec, shared by the codec tests and benchmarks.</summary>
public static class SampleMessages
{
    public static IsoMessage BillPayment() => new IsoMessage("0200")
        .Set(3, "500000")
        .Set(4, "000000015000")
        .Set(7, "1122153045")
        .Set(11, "000123")
        .Set(12, "153045")
        .Set(13, "1122")
        .Set(32, "100001")
        .Set(37, "RRN000000123")
        .Set(41, "ATM00001")
        .Set(48, "BC005ELECTAN0101234567890CH003ATM")
        .Set(49, "682")
        .Set(102, "SA0380000000608010167519");
}
