using Switch.Positions;
using Switch.Transactions;

namespace Switch.Core.Tests.Transactions;

/// <summary>A bank whose position actor cannot be reached (its node lost, its shard moving) hears 91 at once, as the journal keeps it.</summary>
public class PositionUnavailableTests
{
    [Fact]
    public async Task Payment_whose_position_cannot_be_reached_is_answered_and_journaled_91_without_a_reservation()
    {
        var journal = new RecordingJournal();
        var positions = new UnreachablePositions();
        var flow = new TransactionFlow(new FlowStandIns.Catalog(), new FlowStandIns.NoBills(), journal, positions, TimeProvider.System,
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(30), new ReceiptCodes(new byte[32]), FlowStandIns.References(TimeProvider.System), FlowStandIns.Codes(TimeProvider.System));

        var reply = await flow.PayAsync(FlowStandIns.TopUpPayment(), DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ResponseCodes.Unavailable, reply.ResponseCode);
        var entry = Assert.Single(journal.Entries);
        Assert.Equal(ResponseCodes.Unavailable, entry.ResponseCode);
        Assert.Null(entry.SwitchReference);
        Assert.Empty(positions.Settled);
    }

    private sealed class UnreachablePositions : IPositions
    {
        public List<string> Settled { get; } = [];

        public Task<bool> ReserveAsync(string bank, string reservation, long amount, DateTimeOffset deadline, CancellationToken cancellationToken) =>
            Task.FromException<bool>(new PositionUnavailableException(bank));

        public void Confirm(string bank, string reservation) => Settled.Add(reservation);

        public void Release(string bank, string reservation) => Settled.Add(reservation);

        public void Reverse(string bank, long amount)
        {
        }
    }

    private sealed class RecordingJournal : FlowStandIns.Journal
    {
        public List<JournalEntry> Entries { get; } = [];

        public override Task<JournalOutcome> AppendAsync(JournalEntry entry, Deadline deadline, CancellationToken cancellationToken)
        {
            Entries.Add(entry);
            return Task.FromResult(JournalOutcome.Written);
        }
    }
}
