using System.Security.Cryptography;
using System.Text;
using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

/// <summary>
/// A payment's fingerprint is journaled: a repeat made after an upgrade must hash to what the journal already holds, or
/// it would hear 94 instead of its first answer. The amount is hashed as minor units and numeric currency, never as text.
/// </summary>
public class FingerprintTests
{
    [Fact]
    public async Task Fingerprint_hashes_the_amount_as_minor_units_and_numeric_currency()
    {
        var journal = new CapturingJournal();
        var flow = new TransactionFlow(new FlowStandIns.Catalog(), new FlowStandIns.NoBills(), journal, new FlowStandIns.AlwaysRoom(), TimeProvider.System,
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30), new ReceiptCodes(new byte[32]), FlowStandIns.References(TimeProvider.System), FlowStandIns.Codes(TimeProvider.System));
        var payment = FlowStandIns.TopUpPayment();

        await flow.PayAsync(payment, DateTimeOffset.UtcNow, CancellationToken.None);

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes("TOPUP|0551234567||Mb|5000|682|"))[..16];
        Assert.Equal(expected, journal.Entry!.Fingerprint);
    }

    private sealed class CapturingJournal : FlowStandIns.Journal
    {
        public JournalEntry? Entry { get; private set; }

        public override Task<JournalOutcome> AppendAsync(JournalEntry entry, Deadline deadline, CancellationToken cancellationToken)
        {
            Entry = entry;
            return Task.FromResult(JournalOutcome.Written);
        }
    }
}
