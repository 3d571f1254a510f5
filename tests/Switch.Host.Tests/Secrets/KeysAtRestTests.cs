using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Switch.Adapters.Iso8583;
using Switch.Adapters.Postgres;
using Switch.Adapters.Secrets;
using Switch.Host.Cli;
using Switch.Host.Tests.Infrastructure;
using Switch.Host.Tests.Rest;
using static Switch.Host.Tests.Iso.BankMessages;

namespace Switch.Host.Tests.Secrets;

/// <summary>MAC keys and the receipt secret are stored only encrypted under the KEK; a bank's key rotates with an overlap.</summary>
[Collection(RestCollection.Name)]
public class KeysAtRestTests(HostFixture host)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private NpgsqlDataSource Postgres => host.Service<NpgsqlDataSource>();

    [Fact]
    public async Task The_demo_banks_published_key_is_stored_encrypted_and_still_signs_on()
    {
        await using var bank = await host.SignedOnAsync(MacBank, MacKey);

        Assert.Equal(0L, await Postgres.Scalar<long>("select count(*) from banks where mac_key is not null and code = $1", MacBank));
        var ciphertext = await Postgres.Scalar<byte[]>("select ciphertext from bank_keys where bank_code = $1 and state = 'current'", MacBank);
        Assert.Equal(MacKey.Length, ciphertext.Length);
        Assert.NotEqual(MacKey, ciphertext);
        Assert.True(ciphertext.AsSpan().IndexOf(MacKey.AsSpan(0, 4)) < 0);
    }

    [Fact]
    public async Task A_clear_key_put_in_banks_is_taken_in_encrypted_and_erased()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var bank = await MacBankAsync(key);

        await using var connection = await host.SignedOnAsync(bank, key);

        Assert.Equal(0L, await Postgres.Scalar<long>("select count(*) from banks where mac_key is not null and code = $1", bank));
        var ciphertext = await Postgres.Scalar<byte[]>("select ciphertext from bank_keys where bank_code = $1 and state = 'current'", bank);
        Assert.NotEqual(key, ciphertext);
    }

    [Fact]
    public async Task Rotation_accepts_both_keys_until_the_bank_signs_on_under_the_new_one_which_retires_the_old()
    {
        var oldKey = RandomNumberGenerator.GetBytes(32);
        var bank = await MacBankAsync(oldKey);
        await using var before = await host.SignedOnAsync(bank, oldKey);

        var newKey = await RotateAsync(bank, TimeSpan.FromHours(1));

        await using (await host.SignedOnAsync(bank, oldKey))
        {
            // Within the overlap the old key still signs on.
        }

        await using var renewed = await ConnectAsync(newKey);
        var signOn = await renewed.SendAsync(Network(bank, "001"), Wait);
        Assert.Equal("00", signOn.GetString(39));
        Assert.True(IsoCodec.VerifyMac(signOn, newKey), "the answer is signed under the key the sign-on verified under");

        await using var late = await ConnectAsync(oldKey);
        Assert.Equal("63", (await late.SendAsync(Network(bank, "001"), Wait)).GetString(39));
        var echo = await renewed.SendAsync(Network(bank, "301"), Wait);
        Assert.Equal("00", echo.GetString(39));
        Assert.True(IsoCodec.VerifyMac(echo, newKey));
        Assert.Equal("retired current", await StatesAsync(bank));
        Assert.Equal(0L, await Postgres.Scalar<long>("select count(*) from bank_keys where bank_code = $1 and state = 'retired' and ciphertext is not null", bank));
    }

    [Fact]
    public async Task When_the_overlap_ends_the_new_key_is_current_even_without_a_sign_on_under_it()
    {
        var oldKey = RandomNumberGenerator.GetBytes(32);
        var bank = await MacBankAsync(oldKey);
        await using (await host.SignedOnAsync(bank, oldKey))
        {
        }

        var newKey = await RotateAsync(bank, TimeSpan.FromHours(1));
        // The overlap's end, as it will look an hour from now.
        await Postgres.Scalar<int>("update bank_keys set retire_current_at = now() - interval '1 second' where bank_code = $1 and state = 'next' returning 1", bank);

        await using var late = await ConnectAsync(oldKey);
        Assert.Equal("63", (await late.SendAsync(Network(bank, "001"), Wait)).GetString(39));
        await using var renewed = await host.SignedOnAsync(bank, newKey);
        Assert.Equal("retired current", await StatesAsync(bank));
    }

    [Fact]
    public async Task Rotating_a_bank_that_does_not_exist_changes_nothing()
    {
        var output = new StringWriter();

        Assert.Equal(1, await BanksCommand.RotateAsync(host.Service<BankKeyStore>(), "99999999999", TimeSpan.FromHours(1), AuditActor.CommandLine(), output, default));
        Assert.Contains("no bank 99999999999", output.ToString());
    }

    [Fact]
    public async Task A_wrong_key_encryption_key_stops_the_start_with_a_clear_message()
    {
        // The shared host has started, so the secrets are stored under the right KEK.
        var error = await StartWithAsync(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        Assert.Contains("cannot decrypt", error.Message);
        Assert.Contains("Switch:Secrets:KeyFile", error.Message);
    }

    [Fact]
    public async Task No_key_encryption_key_stops_the_start_with_a_clear_message()
    {
        var error = await StartWithAsync(null);

        Assert.Contains("No key-encryption key is configured", error.Message);
    }

    private static async Task<SecretsException> StartWithAsync(string? key)
    {
        await using var app = SwitchHost.Build([], config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Switch:HttpUrl"] = $"http://127.0.0.1:{HostFixture.FreePort()}",
            ["Switch:Iso:Port"] = HostFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Switch:Secrets:KeyFile"] = "",
            ["Switch:Secrets:Key"] = key ?? "",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        return await Assert.ThrowsAsync<SecretsException>(() => SwitchHost.StartAsync(app));
    }

    /// <summary>Runs the CLI verb's work and checks what it prints; returns the new key.</summary>
    private async Task<byte[]> RotateAsync(string bank, TimeSpan overlap)
    {
        var output = new StringWriter();
        Assert.Equal(0, await BanksCommand.RotateAsync(host.Service<BankKeyStore>(), bank, overlap, AuditActor.CommandLine(), output, default));
        var lines = output.ToString().Split('\n');
        var key = Convert.FromHexString(lines.Single(l => l.StartsWith("key ", StringComparison.Ordinal))[4..].Trim());
        var checkValue = lines.Single(l => l.StartsWith("KCV ", StringComparison.Ordinal))[4..].Trim()[..6];
        Assert.Equal(Convert.ToHexString(HMACSHA256.HashData(key, new byte[16]))[..6], checkValue);
        // Audited with what identifies the key, never the key itself.
        var audited = await Postgres.Scalar<string>(
            "select after::text from audit_log where subject = 'bank:' || $1 and action = 'bank.mac_key.rotate' and actor like 'cli:%' order by id desc limit 1", bank);
        Assert.Contains(checkValue, audited, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(key), audited, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("current next", await StatesAsync(bank));
        return key;
    }

    private async Task<IsoClient> ConnectAsync(byte[] macKey)
    {
        var client = await IsoClient.ConnectAsync("127.0.0.1", host.IsoPort);
        client.MacKey = macKey;
        return client;
    }

    private Task<string> StatesAsync(string bank) =>
        Postgres.Scalar<string>("select string_agg(state, ' ' order by version) from bank_keys where bank_code = $1", bank);

    /// <summary>A new bank with MAC on, its key put in clear where a migration or an operator would put it.</summary>
    private async Task<string> MacBankAsync(byte[] key)
    {
        var bank = await TestData.Bank(Postgres, cap: 100_000_000);
        await using var command = Postgres.CreateCommand("update banks set mac_required = true, mac_key = $2 where code = $1");
        command.Parameters.AddWithValue(bank);
        command.Parameters.AddWithValue(key);
        await command.ExecuteNonQueryAsync();
        return bank;
    }
}
