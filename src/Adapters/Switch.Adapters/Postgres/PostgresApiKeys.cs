using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Switch.Adapters.Postgres;

/// <summary>
/// Issuing and revoking API keys (table api_keys), each change audited in its own transaction. A key is shown once,
/// when issued: only its SHA-256 is stored, so a lost key is revoked and another issued, never recovered. A revoked
/// key stops working on every node within Switch:BankCacheTime (the directory's cache), at once on a node that
/// did not have it cached.
/// </summary>
public sealed class PostgresApiKeys(NpgsqlDataSource dataSource)
{
    /// <summary>The roles as api_keys.role spells them, and whether the role speaks for a bank, a biller or neither.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Roles = new Dictionary<string, string?>
    {
        ["bank"] = "bank",
        ["biller"] = "biller",
        ["operator"] = null,
        ["central_bank"] = null,
    };

    /// <summary>Makes a new random key for <paramref name="holder"/>; null with the reason when the request is not valid (nothing is written then).</summary>
    public async Task<(IssuedApiKey? Key, string? Problem)> IssueAsync(
        string role, string? participant, string holder, AuditActor who, CancellationToken cancellationToken)
    {
        if (Problem(role, participant, holder) is { } problem)
        {
            return (null, problem);
        }

        // 32 random bytes, base64url: 43 printable characters without spaces, as the REST edge's key rule admits.
        var key = "swk_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var kind = Roles[role];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (kind is not null && !await ParticipantExistsAsync(connection, transaction, kind, participant!, cancellationToken))
        {
            return (null, $"there is no {kind} {participant}");
        }

        await using var insert = new NpgsqlCommand($"""
            insert into api_keys (key_hash, role, {kind ?? "bank"}_code, holder) values ($1, $2, $3, $4)
            returning id
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = SHA256.HashData(Encoding.UTF8.GetBytes(key)) });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = role });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)participant ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = holder });
        var id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        await PostgresAuditTrail.RecordAsync(transaction, who, "api_key.issue", $"api_key:{id}", null,
            State(id, role, participant, holder, active: true), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (new IssuedApiKey(id, key), null);
    }

    /// <summary>Revokes key <paramref name="id"/>; false when there is no such active key (nothing changes then).</summary>
    public async Task<bool> RevokeAsync(long id, AuditActor who, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var revoke = new NpgsqlCommand("""
            update api_keys set active = false, revoked_at = now() where id = $1 and active
            returning role, coalesce(bank_code, biller_code), holder
            """, connection, transaction);
        revoke.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        string role, holder;
        string? participant;
        await using (var reader = await revoke.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }

            (role, participant, holder) = (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2));
        }

        await PostgresAuditTrail.RecordAsync(transaction, who, "api_key.revoke", $"api_key:{id}",
            State(id, role, participant, holder, active: true), State(id, role, participant, holder, active: false), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Every key, oldest first, without anything secret: what an operator reviews before revoking.</summary>
    public async Task<IReadOnlyList<ApiKeyListing>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, role, coalesce(bank_code, biller_code), holder, active, created_at, revoked_at from api_keys order by id
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyListing>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new ApiKeyListing(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.GetBoolean(4), reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return keys;
    }

    /// <summary>What is wrong with an issue request, or null.</summary>
    public static string? Problem(string role, string? participant, string holder)
    {
        if (!Roles.TryGetValue(role, out var kind))
        {
            return $"the role is one of {string.Join(", ", Roles.Keys)}";
        }

        if (kind is null && participant is not null)
        {
            return $"a key of the {role} role speaks for no participant: leave the participant out";
        }

        if (kind is not null && (participant is null || participant.Length is < 1 or > 11 || !participant.All(char.IsAsciiLetterOrDigit)))
        {
            return $"a key of the {role} role needs the {kind}'s code (1 to 11 letters or digits)";
        }

        return holder.Length is < 1 or > 100 || holder.Any(char.IsControl) || holder.Trim().Length != holder.Length
            ? "the holder is the name of the person or system holding the key: 1 to 100 characters, no control characters or surrounding spaces"
            : null;
    }

    private static async Task<bool> ParticipantExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind, string code, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand($"select 1 from {kind}s where code = $1", connection, transaction);
        exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = code });
        return await exists.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>A key as the audit trail records it: what identifies it, never the key.</summary>
    private static string State(long id, string role, string? participant, string holder, bool active)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("role", role);
            json.WriteString("participant", participant);
            json.WriteString("holder", holder);
            json.WriteBoolean("active", active);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

public sealed record IssuedApiKey(long Id, string Key);

public sealed record ApiKeyListing(long Id, string Role, string? Participant, string Holder, bool Active, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
