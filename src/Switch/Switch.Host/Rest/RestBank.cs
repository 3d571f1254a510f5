using Switch.Participants;

namespace Switch.Host.Rest;

/// <summary>The bank a REST request acts for, as its API key proved it (never as its body says).</summary>
public static class RestBank
{
    private static readonly object Key = new();

    public static Bank CallingBank(this HttpContext http) =>
        http.Items[Key] as Bank ?? throw new InvalidOperationException("The request reached an API handler without an authenticated bank.");

    internal static void SetCallingBank(this HttpContext http, Bank bank) => http.Items[Key] = bank;
}
