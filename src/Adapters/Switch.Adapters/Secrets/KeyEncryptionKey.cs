using System.Security.Cryptography;
using System.Text;

namespace Switch.Adapters.Secrets;

/// <summary>A secret as stored: AES-256-GCM ciphertext, its 12-byte nonce and 16-byte tag.</summary>
public sealed record SealedSecret(byte[] Ciphertext, byte[] Nonce, byte[] Tag);

/// <summary>Why the switch cannot use its stored secrets; the message says what to do.</summary>
public sealed class SecretsException(string message) : Exception(message);

/// <summary>
/// The key-encryption key (KEK): 32 bytes under which MAC keys and the receipt secret are stored (AES-256-GCM).
/// Each secret is sealed with associated data naming what it is (e.g. bank and key version), so a ciphertext copied
/// to another row does not open there. The KEK itself is never stored in the database.
/// </summary>
public sealed class KeyEncryptionKey
{
    public const int Length = 32;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    private readonly Lazy<byte[]> _key;

    private KeyEncryptionKey(Lazy<byte[]> key) => _key = key;

    /// <summary>
    /// The KEK as <see cref="Load"/> reads it, read when first used (<see cref="EnsureLoaded"/> at start), so that
    /// building the host, or a command that needs no secret such as migrate, does not need it.
    /// </summary>
    public static KeyEncryptionKey Deferred(string? keyFile, string? key) => new(new Lazy<byte[]>(() => Load(keyFile, key)._key.Value));

    /// <summary>Reads the KEK now if it is deferred; a SecretsException says what is missing or wrong.</summary>
    public void EnsureLoaded() => _ = _key.Value;

    public static KeyEncryptionKey FromBytes(byte[] key) =>
        key.Length == Length ? new KeyEncryptionKey(new Lazy<byte[]>(key.ToArray())) : throw new SecretsException($"A key-encryption key has {Length} bytes, not {key.Length}.");

    /// <summary>
    /// The KEK from a file (<paramref name="keyFile"/>) or a value (<paramref name="key"/>), either holding the 32 bytes
    /// in base64. Exactly one of them must be set.
    /// </summary>
    public static KeyEncryptionKey Load(string? keyFile, string? key)
    {
        const string Settings = "Switch:Secrets:KeyFile (a file holding the key in base64) or Switch:Secrets:Key (the key in base64), "
            + "e.g. Switch__Secrets__KeyFile=/etc/switch/kek; make one with: head -c 32 /dev/urandom | base64";
        var hasFile = !string.IsNullOrWhiteSpace(keyFile);
        var hasKey = !string.IsNullOrWhiteSpace(key);
        if (hasFile == hasKey)
        {
            throw new SecretsException(hasFile
                ? "Both Switch:Secrets:KeyFile and Switch:Secrets:Key are set; set only one."
                : $"No key-encryption key is configured: the switch keeps MAC keys and its receipt secret encrypted and needs {Settings}.");
        }

        string text;
        if (hasFile)
        {
            try
            {
                text = File.ReadAllText(keyFile!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SecretsException($"The key-encryption key file {keyFile} cannot be read: {e.Message}");
            }
        }
        else
        {
            text = key!;
        }

        var source = hasFile ? $"the file {keyFile}" : "Switch:Secrets:Key";
        try
        {
            var bytes = Convert.FromBase64String(text.Trim());
            return bytes.Length == Length
                ? new KeyEncryptionKey(new Lazy<byte[]>(bytes))
                : throw new SecretsException($"The key-encryption key in {source} has {bytes.Length} bytes; it must be {Length} bytes in base64.");
        }
        catch (FormatException)
        {
            throw new SecretsException($"The key-encryption key in {source} is not base64; it must be {Length} bytes in base64.");
        }
    }

    public SealedSecret Seal(ReadOnlySpan<byte> plaintext, string associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceLength);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagLength];
        using var aes = new AesGcm(_key.Value, TagLength);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.UTF8.GetBytes(associatedData));
        return new SealedSecret(ciphertext, nonce, tag);
    }

    /// <param name="what">Names the secret in the error, e.g. "bank 100002's MAC key version 1".</param>
    public byte[] Open(SealedSecret secret, string associatedData, string what)
    {
        var plaintext = new byte[secret.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(_key.Value, TagLength);
            aes.Decrypt(secret.Nonce, secret.Ciphertext, secret.Tag, plaintext, Encoding.UTF8.GetBytes(associatedData));
            return plaintext;
        }
        catch (Exception e) when (e is AuthenticationTagMismatchException or ArgumentException)
        {
            throw new SecretsException($"The key-encryption key cannot decrypt {what}: it is not the key the secrets were stored under "
                + "(check Switch:Secrets:KeyFile / Switch:Secrets:Key), or the stored value was altered.");
        }
    }
}
