using System.Globalization;
using Switch.Adapters.Iso8583;

namespace Switch.LoadGen;

/// <summary>
/// Signed-on, pipelined ISO 8583 connections per bank (with the bank's MAC where it has one), spread over the nodes
/// given. A connection the switch signs off (its node is stopping) or that closes (its node died) is replaced by one
/// to the next node that answers, as a bank's host would; requests sent on a connection that died are unanswered.
/// </summary>
public sealed class IsoDriver(IReadOnlyDictionary<string, IsoClient[]> connections, int window, RunIds ids, Ledger ledger,
    IReadOnlyList<System.Net.DnsEndPoint> nodes, IReadOnlyDictionary<string, byte[]?> macKeys) : IDriver
{
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(10);
    private long _next;

    public Edge Edge => Edge.Iso;

    public int Slots => connections.Values.Sum(c => c.Length) * window;

    private readonly SemaphoreSlim _reconnecting = new(1, 1);
    private int _moves;

    /// <param name="nodes">The ISO 8583 endpoints of the nodes; a bank's connections are spread over them.</param>
    public static async Task<IsoDriver> ConnectAsync(
        IReadOnlyList<System.Net.DnsEndPoint> nodes, IReadOnlyDictionary<string, byte[]?> banks, int connectionsPerBank, int window, RunIds ids, Ledger ledger, CancellationToken cancellationToken)
    {
        var connections = new Dictionary<string, IsoClient[]>();
        foreach (var (bank, macKey) in banks)
        {
            var clients = new IsoClient[connectionsPerBank];
            for (var i = 0; i < clients.Length; i++)
            {
                clients[i] = await SignOnAsync(nodes[i % nodes.Count], bank, macKey, ids, cancellationToken);
            }

            connections[bank] = clients;
        }

        return new IsoDriver(connections, window, ids, ledger, nodes, banks);
    }

    private static async Task<IsoClient> SignOnAsync(System.Net.DnsEndPoint node, string bank, byte[]? macKey, RunIds ids, CancellationToken cancellationToken)
    {
        var client = await IsoClient.ConnectAsync(node.Host, node.Port, cancellationToken: cancellationToken);
        client.MacKey = macKey;
        var sequence = ids.Next();
        var signOn = await client.SendAsync(BankRequests.Network(bank, "001").Stamp(sequence, ids.Rrn(sequence), DateTime.UtcNow), AnswerWait, cancellationToken);
        if (signOn.GetString(39) != "00")
        {
            await client.DisposeAsync();
            throw new InvalidOperationException($"sign-on of bank {bank} was answered {signOn.GetString(39)}");
        }

        return client;
    }

    /// <summary>The connection in <paramref name="slot"/>, replaced first by one to another node if it was signed off or has closed.</summary>
    private async Task<IsoClient> UsableAsync(string bank, int slot, CancellationToken cancellationToken)
    {
        var clients = connections[bank];
        var client = clients[slot];
        if (!client.SignedOff.IsCompleted && !client.Closed.IsCompleted)
        {
            return client;
        }

        await _reconnecting.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; clients[slot] == client; attempt++)
            {
                var node = nodes[(slot + attempt + Interlocked.Increment(ref _moves)) % nodes.Count];
                try
                {
                    clients[slot] = await SignOnAsync(node, bank, macKeys[bank], ids, cancellationToken);
                    _ = client.DisposeAsync().AsTask();
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }

            return clients[slot];
        }
        finally
        {
            _reconnecting.Release();
        }
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
        var slot = (int)((ulong)Interlocked.Increment(ref _next) % (ulong)connections[operation.Bank].Length);
        string code;
        try
        {
            var client = await UsableAsync(operation.Bank, slot, cancellationToken);
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
