using Switch.Participants;

namespace Switch.Host.Rest;

/// <summary>What the API filters establish for a request: the principal its API key proved (never its body), and when its answer is due.</summary>
public static class RestRequest
{
    private static readonly object CallerKey = new();
    private static readonly object DeadlineKey = new();
    private static readonly object ReceivedAtKey = new();

    public static Bank CallingBank(this HttpContext http) =>
        http.Caller().Bank ?? throw new InvalidOperationException("The request reached a bank's API handler without an authenticated bank.");

    /// <summary>Who the request's credential speaks for, as the audit trail names them.</summary>
    public static ApiCredential Caller(this HttpContext http) =>
        http.Items[CallerKey] as ApiCredential ?? throw new InvalidOperationException("The request reached an API handler without a credential.");

    /// <summary>
    /// Cancelled when the answer is due (Switch:RequestTimeout) or the bank hangs up. Everything a handler awaits stops
    /// there, so no handler outlives its request: ASP.NET Core reuses a finished request's HttpContext for the next one.
    /// </summary>
    public static CancellationToken Deadline(this HttpContext http) => http.Items[DeadlineKey] is CancellationToken deadline ? deadline : http.RequestAborted;

    /// <summary>When the request's timeout started counting: what the transaction flow dates its own deadline from.</summary>
    public static DateTimeOffset ReceivedAt(this HttpContext http) =>
        http.Items[ReceivedAtKey] as DateTimeOffset? ?? throw new InvalidOperationException("The request reached an API handler without its timeout started.");

    internal static void SetReceivedAt(this HttpContext http, DateTimeOffset receivedAt) => http.Items[ReceivedAtKey] = receivedAt;

    internal static void SetCaller(this HttpContext http, ApiCredential credential) => http.Items[CallerKey] = credential;

    internal static void SetDeadline(this HttpContext http, CancellationToken deadline) => http.Items[DeadlineKey] = deadline;
}
