using System.Globalization;
using Switch.Adapters.Iso8583;

namespace Switch.LoadGen;

/// <summary>Signed-on, pipelined ISO 8583 connections per bank (with the bank's MAC where it has one).</summary>
public sealed class IsoDriver(IReadOnlyDictionary<string, IsoClient[]> connections, int window, RunIds ids, Ledger ledger) : IDriver
{
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(10);
    private long _next;

    public Edge Edge => Edge.Iso;

    public int Slots => connections.Values.Sum(c => c.Length) * window;

    /// <param name="nodes">The switch nodes: each bank's connections go to them in turn.</param>
    public static async Task<IsoDriver> ConnectAsync(
        IReadOnlyList<(string Host, int Port)> nodes, IReadOnlyDictionary<string, byte[]?> banks, int connectionsPerBank, int window, RunIds ids, Ledger ledger, CancellationToken cancellationToken)
    {
        var connections = new Dictionary<string, IsoClient[]>();
        foreach (var (bank, macKey) in banks)
        {
            var clients = new IsoClient[connectionsPerBank];
            for (var i = 0; i < clients.Length; i++)
            {
                var (host, port) = nodes[i % nodes.Count];
                clients[i] = await IsoClient.ConnectAsync(host, port, cancellationToken: cancellationToken);
                clients[i].MacKey = macKey;
                var sequence = ids.Next();
                var signOn = await clients[i].SendAsync(BankRequests.Network(bank, "001").Stamp(sequence, ids.Rrn(sequence), DateTime.UtcNow), AnswerWait, cancellationToken);
                if (signOn.GetString(39) != "00")
                {
                    throw new InvalidOperationException($"sign-on of bank {bank} was answered {signOn.GetString(39)}");
                }
            }

            connections[bank] = clients;
        }

        return new IsoDriver(connections, window, ids, ledger);
    }

    public async Task<Outcome> SendAsync(Operation operation, CancellationToken cancellationToken)
    {
        var sequence = ids.Next();
        var request = operation switch
        {
            Inquiry inquiry => BankRequests.Inquiry(inquiry.Bank, inquiry.Biller, inquiry.Account, inquiry.Channel).Stamp(sequence, ids.Rrn(sequence), ids.Started),
            Payment payment => BankRequests.Payment(payment.Bank, payment.Biller, payment.Account, payment.Amount, payment.Channel).Stamp(sequence, ids.Rrn(sequence), ids.Started),
            Reversal reversal => BankRequests.Reversal((IsoMessage)reversal.Handle, sequence, DateTime.UtcNow),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
        var clients = connections[operation.Bank];
        var client = clients[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)clients.Length)];
        string code;
        try
        {
            code = (await client.SendAsync(request, AnswerWait, cancellationToken)).GetString(39) ?? Outcome.NoAnswer;
        }
        catch (Exception e) when (e is TimeoutException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            code = Outcome.NoAnswer;
        }

        Record(operation, request, code);
        return new Outcome(code);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in connections.Values.SelectMany(c => c))
        {
            await client.DisposeAsync();
        }
    }

    private void Record(Operation operation, IsoMessage request, string code)
    {
        switch (operation)
        {
            case Payment payment when code == "00":
                ledger.Approved(new Approval(payment.Bank, request.GetString(37)!, ids.LocalDate, payment.Biller, payment.Amount, Edge.Iso), request);
                break;
            case Payment payment when code == Outcome.NoAnswer:
                ledger.Unanswered[new JournalKey(payment.Bank, request.GetString(37)!, ids.LocalDate)] = 0;
                break;
            case Reversal reversal:
                reversal.Original.Reversed |= code == "00";
                reversal.Original.ReversalUnknown |= code == Outcome.NoAnswer;
                break;
        }
    }
}
