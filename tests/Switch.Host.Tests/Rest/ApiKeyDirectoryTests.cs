using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Switch.Host.Tests.Infrastructure;
using Switch.Participants;

namespace Switch.Host.Tests.Rest;

/// <summary>Credentials found by the SHA-256 of their API key (migration 0009 moved the demo bank keys into api_keys and added the demo operator's).</summary>
[Collection(RestCollection.Name)]
public class ApiKeyDirectoryTests(HostFixture host)
{
    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    [Fact]
    public async Task Demo_keys_find_their_banks_with_the_default_rate_and_other_keys_find_nothing()
    {
        var banks = host.Service<IBankDirectory>();

        var plain = await banks.FindByApiKeyHashAsync(Hash("demo-key-100001"), default);
        var signed = await banks.FindByApiKeyHashAsync(Hash("demo-key-100002"), default);
        var unknown = await banks.FindByApiKeyHashAsync(Hash("demo-key-100003"), default);

        Assert.Equal((PrincipalRole.Bank, "100001", "100001", 2000), (plain!.Role, plain.Participant, plain.Bank!.Code, plain.Bank.ApiRateLimit));
        Assert.Equal("100002", signed!.Bank!.Code);
        Assert.Null(unknown);
    }

    [Fact]
    public async Task Demo_operator_key_is_an_operator_of_no_participant_and_a_revoked_key_finds_nothing()
    {
        var banks = host.Service<IBankDirectory>();
        var revoked = await RestBanks.CreateKey(host.Service<NpgsqlDataSource>(), "operator", active: false);

        var demo = await banks.FindByApiKeyHashAsync(Hash(RestBanks.OperatorKey), default);

        Assert.Equal((PrincipalRole.Operator, null, null), (demo!.Role, demo.Participant, demo.Bank));
        Assert.Null(await banks.FindByApiKeyHashAsync(Hash(revoked), default));
    }

    [Fact]
    public async Task Only_the_hash_of_a_key_is_stored()
    {
        await using var command = host.Service<NpgsqlDataSource>().CreateCommand(
            "select count(*) from api_keys where key_hash = $1 or position(convert_to('demo-', 'UTF8') in key_hash) > 0");
        command.Parameters.AddWithValue(Encoding.UTF8.GetBytes("demo-key-100001"));

        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }
}
