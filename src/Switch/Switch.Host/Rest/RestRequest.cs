using Switch.Participants;

namespace Switch.Host.Rest;

/// <summary>What the API filters establish for a request: the bank its API key proved (never its body), and when its answer is due.</summary>
public static class RestRequest
{
    private static readonly object BankKey = new();
    private static readonly object DeadlineKey = new();
    private static readonly object ReceivedAtKey = new();

    public static Bank CallingBank(this HttpContext http) =>
        http.Items[BankKey] as Bank ?? throw new InvalidOperationException("The request reached an API handler without an authenticated bank.");

    /// <summary>
    /// Cancelled when the answer is due (Switch:RequestTimeout) or the bank hangs up. Everything a handler awaits stops
    /// there, so no handler outlives its request: ASP.NET Core reuses a finished request's HttpContext for the next one.
    /// </summary>
    public static CancellationToken Deadline(this HttpContext http) => http.Items[DeadlineKey] is CancellationToken deadline ? deadline : http.RequestAborted;

    /// <summary>When the request's timeout started counting: what the transaction flow dates its own deadline from.</summary>
    public static DateTimeOffset ReceivedAt(this HttpContext http) =>
        http.Items[ReceivedAtKey] as DateTimeOffset? ?? throw new InvalidOperationException("The request reached an API handler without its timeout started.");

    internal static void SetReceivedAt(this HttpContext http, DateTimeOffset receivedAt) => http.Items[ReceivedAtKey] = receivedAt;

    internal static void SetCallingBank(this HttpContext http, Bank bank) => http.Items[BankKey] = bank;

    internal static void SetDeadline(this HttpContext http, CancellationToken deadline) => http.Items[DeadlineKey] = deadline;
}
