using System.Security.Cryptography;
using Npgsql;
using Switch.Adapters.Postgres;
using Switch.Participants;

namespace Switch.Adapters.Secrets;

/// <summary>A key made by a rotation, to be handed to the bank: shown once, stored only encrypted.</summary>
public sealed record RotatedMacKey(string Bank, int Version, byte[] Key, string CheckValue, DateTimeOffset OverlapEnds);

/// <summary>
/// Banks' MAC keys in bank_keys, encrypted under the KEK with the bank and version as associated data. A bank has at
/// most one current and one next key. A rotation makes a next key; the bank signing on under it, or the end of the
/// rotation's overlap, makes it current and retires the old one (whose ciphertext is then erased).
/// banks.mac_key is only an intake: a clear key put there (by a migration or by hand) is encrypted into bank_keys as
/// the bank's new current key and erased from banks, in one transaction.
/// </summary>
public sealed class BankKeyStore(NpgsqlDataSource dataSource, KeyEncryptionKey kek, TimeProvider time)
{
    public const int KeyLength = 32;

    private long _generation;

    /// <summary>Grows with every key change this process makes, so caches of banks can tell they are stale.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>Encrypts the clear keys waiting in banks.mac_key (one bank's, or every bank's when null); returns how many.</summary>
    public async Task<int> TakeInClearKeysAsync(string? bank, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var waiting = new List<(string Bank, byte[] Key)>();
        await using (var select = new NpgsqlCommand(
            "select code, mac_key from banks where mac_key is not null and ($1::text is null or code = $1) order by code for update", connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = bank, DataTypeName = "text" });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                waiting.Add((reader.GetString(0), (byte[])reader[1]));
            }
        }

        foreach (var (code, key) in waiting)
        {
            await RetireAsync(connection, transaction, code, "state in ('current', 'next')", cancellationToken);
            var version = await NextVersionAsync(connection, transaction, code, cancellationToken);
            await InsertAsync(connection, transaction, code, version, key, "current", null, cancellationToken);
            await ExecuteAsync(connection, transaction, "update banks set mac_key = null where code = $1", cancellationToken, code);
        }

        await transaction.CommitAsync(cancellationToken);
        if (waiting.Count > 0)
        {
            Interlocked.Increment(ref _generation);
        }

        return waiting.Count;
    }

    /// <summary>Opens every key in use, so a wrong KEK is found at start rather than at a bank's first sign-on.</summary>
    public async Task CheckAllOpenAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select bank_code, version, ciphertext, nonce, tag from bank_keys where state <> 'retired'");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            Open(reader.GetString(0), reader.GetInt32(1), reader, 2);
        }
    }

    /// <summary>The bank's current key and next key (either may be absent); a next key whose overlap has ended is made current first.</summary>
    public async Task<(byte[]? Current, NextMacKey? Next)> LoadAsync(string bank, CancellationToken cancellationToken)
    {
        byte[]? current = null;
        NextMacKey? next = null;
        DateTimeOffset? overlapEnds = null;
        await using (var command = dataSource.CreateCommand(
            "select version, ciphertext, nonce, tag, state, retire_current_at from bank_keys where bank_code = $1 and state <> 'retired'"))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bank });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var version = reader.GetInt32(0);
                var key = Open(bank, version, reader, 1);
                if (reader.GetString(4) == "current")
                {
                    current = key;
                }
                else
                {
                    next = new NextMacKey(version, key);
                    overlapEnds = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5);
                }
            }
        }

        if (next is not null && overlapEnds <= time.GetUtcNow())
        {
            await PromoteAsync(bank, next.Version, cancellationToken);
            return (next.Key, null);
        }

        return (current, next);
    }

    /// <summary>
    /// A new random key as the bank's next key, accepted next to the current one for <paramref name="overlap"/>; a next
    /// key made before and never used is retired. Null when there is no such bank.
    /// </summary>
    public async Task<RotatedMacKey?> RotateAsync(string bank, TimeSpan overlap, AuditActor who, CancellationToken cancellationToken)
    {
        var key = RandomNumberGenerator.GetBytes(KeyLength);
        var overlapEnds = time.GetUtcNow() + overlap;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await LockBankAsync(connection, transaction, bank, cancellationToken))
        {
            return null;
        }

        await RetireAsync(connection, transaction, bank, "state = 'next'", cancellationToken);
        var version = await NextVersionAsync(connection, transaction, bank, cancellationToken);
        await InsertAsync(connection, transaction, bank, version, key, "next", overlapEnds, cancellationToken);
        // The key check value identifies the key without revealing it; the key itself is never audited.
        var checkValue = KeyCheckValue.Of(key);
        await PostgresAuditTrail.RecordAsync(transaction, who, "bank.mac_key.rotate", $"bank:{bank}", null,
            $$"""{"nextVersion": {{version}}, "kcv": "{{checkValue}}", "overlapEnds": "{{overlapEnds.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Interlocked.Increment(ref _generation);
        return new RotatedMacKey(bank, version, key, checkValue, overlapEnds);
    }

    /// <summary>Makes next key <paramref name="version"/> the bank's current key and retires the old one; false when it is no longer the next key.</summary>
    public async Task<bool> PromoteAsync(string bank, int version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockBankAsync(connection, transaction, bank, cancellationToken);
        await using var isNext = new NpgsqlCommand("select 1 from bank_keys where bank_code = $1 and version = $2 and state = 'next'", connection, transaction);
        isNext.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bank });
        isNext.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
        if (await isNext.ExecuteScalarAsync(cancellationToken) is null)
        {
            return false;
        }

        await RetireAsync(connection, transaction, bank, "state = 'current'", cancellationToken);
        await using var promote = new NpgsqlCommand(
            "update bank_keys set state = 'current', activated_at = now(), retire_current_at = null where bank_code = $1 and version = $2", connection, transaction);
        promote.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bank });
        promote.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
        await promote.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Interlocked.Increment(ref _generation);
        return true;
    }

    private static string AssociatedData(string bank, int version) => $"switch/bank-mac-key/{bank}/{version}";

    private byte[] Open(string bank, int version, NpgsqlDataReader reader, int first) =>
        kek.Open(new SealedSecret((byte[])reader[first], (byte[])reader[first + 1], (byte[])reader[first + 2]), AssociatedData(bank, version),
            $"bank {bank}'s MAC key version {version}");

    private static async Task<bool> LockBankAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string bank, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select 1 from banks where code = $1 for update", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bank });
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static Task RetireAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string bank, string which, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            $"update bank_keys set state = 'retired', retired_at = now(), ciphertext = null, nonce = null, tag = null where bank_code = $1 and {which}",
            cancellationToken, bank);

    private static async Task<int> NextVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string bank, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select coalesce(max(version), 0) + 1 from bank_keys where bank_code = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bank });
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string bank, int version, byte[] key, string state,
        DateTimeOffset? overlapEnds, CancellationToken cancellationToken)
    {
        if (key.Length != KeyLength)
        {
            throw new SecretsException($"Bank {bank}'s MAC key has {key.Length} bytes; it must have {KeyLength}.");
        }

        var sealedKey = kek.Seal(key, AssociatedData(bank, version));
        await using var command = new NpgsqlCommand(
            """
            insert into bank_keys (bank_code, version, ciphertext, nonce, tag, state, retire_current_at, activated_at)
            values ($1, $2, $3, $4, $5, $6, $7, case when $6 = 'current' then now() end)
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bank });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = sealedKey.Ciphertext });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = sealedKey.Nonce });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = sealedKey.Tag });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?> { TypedValue = overlapEnds, DataTypeName = "timestamptz" });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, string parameter)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = parameter });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
