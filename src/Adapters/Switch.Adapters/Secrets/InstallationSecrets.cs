using System.Security.Cryptography;
using Npgsql;

namespace Switch.Adapters.Secrets;

/// <summary>
/// What the switch checks and prepares about its secrets before it serves: every stored secret opens under the
/// configured KEK (a wrong KEK stops the start), the installation's receipt secret exists (made by the first node that
/// starts, read by every other through PostgreSQL), and clear MAC keys left in banks are encrypted.
/// </summary>
public sealed class InstallationSecrets(NpgsqlDataSource dataSource, KeyEncryptionKey kek, BankKeyStore bankKeys)
{
    private const string ReceiptSecretName = "receipt";
    private const string ReportSigningKeyName = "report-signing";

    private byte[]? _receiptSecret;
    private byte[]? _reportSigningKey;

    /// <summary>The 32-byte secret receipt codes are made under.</summary>
    public byte[] ReceiptSecret => _receiptSecret ?? throw new InvalidOperationException("The installation's secrets are read at start (StartAsync) first.");

    /// <summary>
    /// The installation's key for signing settlement reports: ECDSA P-256 as PKCS#8 (the signature: Switch.Settlement.Reports.ReportSignature),
    /// made by the first node that starts, the same on every node.
    /// </summary>
    public byte[] ReportSigningKey => _reportSigningKey ?? throw new InvalidOperationException("The installation's secrets are read at start (StartAsync) first.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        kek.EnsureLoaded();
        // Checked before anything is encrypted: a clear key taken in under a wrong KEK would be lost to the right one.
        await bankKeys.CheckAllOpenAsync(cancellationToken);
        _receiptSecret = await SecretAsync(ReceiptSecretName, () => RandomNumberGenerator.GetBytes(32), cancellationToken);
        _reportSigningKey = await SecretAsync(ReportSigningKeyName, NewSigningKey, cancellationToken);
        await bankKeys.TakeInClearKeysAsync(null, cancellationToken);
    }

    private static byte[] NewSigningKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKey();
    }

    /// <summary>The installation secret of this name, made if there is none yet; two nodes starting together agree on one.</summary>
    private async Task<byte[]> SecretAsync(string name, Func<byte[]> make, CancellationToken cancellationToken)
    {
        var associatedData = $"switch/installation-secret/{name}";
        var made = kek.Seal(make(), associatedData);
        await using (var insert = dataSource.CreateCommand(
            "insert into installation_secrets (name, ciphertext, nonce, tag) values ($1, $2, $3, $4) on conflict (name) do nothing"))
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = made.Ciphertext });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = made.Nonce });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = made.Tag });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var select = dataSource.CreateCommand("select ciphertext, nonce, tag from installation_secrets where name = $1");
        select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return kek.Open(new SealedSecret((byte[])reader[0], (byte[])reader[1], (byte[])reader[2]), associatedData, $"the installation's {name} secret");
    }
}
