using System.Security.Cryptography;

namespace Switch.Transactions;

/// <summary>
/// Approval codes (field 38, an6): six random letters and digits, about 2.2 billion values, so a code tells nothing about
/// another payment and cannot be guessed. The journal keeps them unique per bank per day; a code already taken is
/// drawn again.
/// </summary>
public static class ApprovalCode
{
    private const string Characters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string Next() => RandomNumberGenerator.GetString(Characters, 6);
}
