using Npgsql;
using NpgsqlTypes;
using Switch.Participants;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Who did an audited action: an API key's holder (with the key's id and role), or the operating-system account that
/// ran a command-line verb on a switch host, which holds no API key.
/// </summary>
public sealed record AuditActor(long? KeyId, string Role, string Name)
{
    public static AuditActor Of(ApiCredential credential) => new(credential.KeyId, PostgresAuditTrail.RoleName(credential.Role), credential.Holder);

    /// <summary>The account running this process: command-line verbs act as the operator they are run by.</summary>
    public static AuditActor CommandLine() => new(null, "operator", $"cli:{Environment.UserName}@{Environment.MachineName}");
}

/// <summary>
/// The audit trail of operator and central-bank actions (table audit_log): who, when, what, on what, and the state
/// before and after as JSON. Written through the change's own transaction, so a change is never committed without its
/// record nor recorded without being committed. Secrets (keys) never go into it, only what identifies them.
/// </summary>
public static class PostgresAuditTrail
{
    public static async Task RecordAsync(
        NpgsqlTransaction transaction, AuditActor who, string action, string? subject, string? beforeJson, string? afterJson, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "insert into audit_log (api_key_id, role, actor, action, subject, before, after) values ($1, $2, $3, $4, $5, $6, $7)", transaction.Connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)who.KeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = who.Role });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = who.Name });
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
