using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Switch.Host.Tests.Infrastructure;
using Switch.Participants;

namespace Switch.Host.Tests.Rest;

/// <summary>Banks found by the SHA-256 of their API key (migration 0003 sets the demo keys).</summary>
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

        Assert.Equal(("100001", 2000), (plain!.Code, plain.ApiRateLimit));
        Assert.Equal("100002", signed!.Code);
        Assert.Null(unknown);
    }

    [Fact]
    public async Task Only_the_hash_of_a_key_is_stored()
    {
        await using var command = host.Service<NpgsqlDataSource>().CreateCommand(
            "select count(*) from banks where api_key_hash = $1 or position(convert_to('demo-key', 'UTF8') in coalesce(api_key_hash, '')) > 0");
        command.Parameters.AddWithValue(Encoding.UTF8.GetBytes("demo-key-100001"));

        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }
}
