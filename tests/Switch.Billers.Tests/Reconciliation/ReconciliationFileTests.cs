using Switch.Billers.Reconciliation;
using Switch.Monetary;

namespace Switch.Billers.Tests.Reconciliation;

public class ReconciliationFileTests
{
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;
    private static readonly Currency Jod = Currency.FromAlpha("JOD")!;

    private static ReconciliationEntry Entry(string reference, long minor, string kind = "payment", string status = "approved", Currency? currency = null) =>
        new(reference, kind, status, kind == "reversal" ? "SW0000000001" : null, "100001", "0000000005", kind == "payment" ? "ELECT-1" : null,
            new Money(minor, currency ?? Sar), new DateTimeOffset(2026, 12, 6, 10, 15, 30, 123, TimeSpan.Zero));

    [Fact]
    public void A_written_file_reads_back_as_the_same_entries()
    {
        ReconciliationEntry[] entries = [Entry("SW0000000001", 24_757, status: "reversed"), Entry("SW0000000002", 1_250, currency: Jod), Entry("SW0000000003", 24_757, "reversal", "applied")];

        var (read, errors, count) = ReconciliationFile.Parse(ReconciliationFile.Write(entries));

        Assert.Equal((0, 0), (errors.Count, count));
        Assert.Equal(entries, read);
        Assert.Contains("\nSW0000000002,payment,approved,,100001,0000000005,ELECT-1,1.250,JOD,2026-12-06T10:15:30.123000Z\n", ReconciliationFile.Write(entries));
    }

    [Fact]
    public void Every_kind_of_difference_is_found_once()
    {
        ReconciliationEntry[] ours = [Entry("A", 100), Entry("B", 200), Entry("C", 300), Entry("D", 400)];
        ReconciliationEntry[] theirs = [Entry("B", 201), Entry("C", 300, status: "reversed"), Entry("D", 400), Entry("E", 500)];

        var differences = ReconciliationFile.Compare(ours, theirs);

        Assert.Equal([("A", "missing"), ("B", "amount"), ("C", "status"), ("E", "extra")], differences.Select(d => (d.SwitchReference, d.Kind)));
        Assert.Equal(("2.00 SAR", "2.01 SAR"), (differences[1].Ours, differences[1].Theirs));
    }

    [Theory]
    [InlineData("SW1,payment,approved,,100001,0000000005,,1.00,SAR", "9 values, not 10")]
    [InlineData("SW1,refund,approved,,100001,0000000005,,1.00,SAR,2026-12-06T10:00:00Z", "kind must be payment or reversal")]
    [InlineData("SW1,payment,approved,,100001,0000000005,,1.001,SAR,2026-12-06T10:00:00Z", "amount must be a decimal with at most 2 decimals, such as 123.45")]
    [InlineData("SW1,payment,approved,,100001,0000000005,,1.00,USD,2026-12-06T10:00:00Z", "currency must be a currency the switch settles (SAR, JOD, SYP)")]
    [InlineData("SW 1,payment,approved,,100001,0000000005,,1.00,SAR,2026-12-06T10:00:00Z", "switch_reference must be 1 to 40 letters, digits or hyphens")]
    [InlineData("SW1,payment,approved,,100001,0000000005,,1.00,SAR,yesterday", "committed_at must be an ISO 8601 time such as 2026-12-06T10:15:30Z")]
    public void A_line_that_cannot_be_read_is_reported_with_its_number(string line, string problem)
    {
        var (entries, errors, count) = ReconciliationFile.Parse($"{ReconciliationFile.Header}\nSW0,payment,approved,,100001,0000000005,,1.00,SAR,2026-12-06T10:00:00Z\n{line}\n");

        Assert.Equal((1, 1), (entries.Count, count));
        Assert.Equal(new ReconciliationLineError(3, problem), errors.Single());
    }

    [Fact]
    public void A_file_without_the_header_or_with_a_reference_twice_is_refused()
    {
        var line = "SW1,payment,approved,,100001,0000000005,,1.00,SAR,2026-12-06T10:00:00Z";

        Assert.Equal(1, ReconciliationFile.Parse(line + "\n").Errors.Single().Line);
        Assert.Equal(new ReconciliationLineError(3, "switch_reference SW1 is given twice"), ReconciliationFile.Parse($"{ReconciliationFile.Header}\n{line}\n{line}\n").Errors.Single());
    }
}
