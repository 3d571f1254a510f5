using Npgsql;
using NpgsqlTypes;
using Switch.Participants;

namespace Switch.Adapters.Postgres;

/// <summary>
/// The audit trail of operator and central-bank actions (table audit_log): who (the credential), when, what, on
/// what, and the state before and after as JSON. Written through the change's own transaction, so a change is never
/// committed without its record nor recorded without being committed.
/// </summary>
public static class PostgresAuditTrail
{
    public static async Task RecordAsync(
        NpgsqlTransaction transaction, ApiCredential who, string action, string? subject, string? beforeJson, string? afterJson, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "insert into audit_log (api_key_id, role, action, subject, before, after) values ($1, $2, $3, $4, $5, $6)", transaction.Connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = who.KeyId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = RoleName(who.Role) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = action });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)subject ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)beforeJson ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)afterJson ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The role as api_keys.role spells it.</summary>
    public static string RoleName(PrincipalRole role) => role switch
    {
        PrincipalRole.Bank => "bank",
        PrincipalRole.Biller => "biller",
        PrincipalRole.Operator => "operator",
        _ => "central_bank",
    };
}
