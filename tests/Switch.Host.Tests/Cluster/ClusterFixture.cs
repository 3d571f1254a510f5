using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Cluster;

/// <summary>
/// <see cref="Size"/> switch nodes as real processes forming one cluster, against the one PostgreSQL, Redis and test
/// database <c>./switch test</c> started. Every node is given the same seed list, every node's address. Use it as a
/// class fixture (<c>IClassFixture&lt;ClusterFixture&gt;</c>) so a test class starts its nodes once, or share one cluster
/// between classes that leave it whole with <c>[Collection(ClusterFixture.Shared)]</c>; a derived fixture
/// changes <see cref="Size"/> or a node's settings (<see cref="NodeSettings"/>). Every process is killed at dispose.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    public const string OperatorKey = "demo-operator-key";

    /// <summary>The collection whose test classes share one three-node cluster (<see cref="SharedCluster"/>), one class at a time.</summary>
    public const string Shared = "Shared three-node cluster";

    private readonly List<NodeProcess> _nodes = [];

    public ClusterFixture()
    {
        Postgres = NpgsqlDataSource.Create(HostFixture.RequireServers());
    }

    /// <summary>How many nodes the fixture starts.</summary>
    protected virtual int Size => 3;

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    public NodeProcess this[int index] => _nodes[index];

    /// <summary>The test database, for making test data and reading the journal.</summary>
    public NpgsqlDataSource Postgres { get; }

    /// <summary>Every node's Akka address, the seed list each node is given.</summary>
    public IReadOnlyList<string> SeedNodes => _nodes.Select(n => SeedAddress(n.AkkaPort)).ToList();

    /// <summary>The address a node on <paramref name="akkaPort"/> has in every node's seed list.</summary>
    protected virtual string SeedAddress(int akkaPort) => NodeProcess.Address(akkaPort);

    /// <summary>Settings (environment form, e.g. Switch__Positions__CapRefresh) for node <paramref name="index"/>, over the fixture's.</summary>
    protected virtual IReadOnlyDictionary<string, string?> NodeSettings(int index) => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        var akkaPorts = Enumerable.Range(0, Size).Select(_ => HostFixture.FreePort()).ToList();
        var seeds = akkaPorts.Select(SeedAddress).ToList();
        for (var i = 0; i < Size; i++)
        {
            _nodes.Add(new NodeProcess(i, seeds, akkaPorts[i], NodeSettings(i)));
        }

        // The first seed forms the cluster, the others join it; all start at once to keep the suite fast.
        _nodes.ForEach(n => n.Start());
        await Task.WhenAll(_nodes.Select(n => n.WaitReadyAsync()));
        await Task.WhenAll(_nodes.Select(n => WaitForMembersUpAsync(n, Size, NodeProcess.StartLimit)));
    }

    public virtual async Task DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask()));
        await Postgres.DisposeAsync();
    }

    /// <summary>The cluster as <paramref name="node"/> sees it (GET /api/v1/operator/status): every member's address and status.</summary>
    public static async Task<IReadOnlyList<(string Address, string Status)>> MembersAsync(NodeProcess node)
    {
        using var http = OperatorClient();
        using var status = JsonDocument.Parse(await http.GetStringAsync($"{node.HttpUrl}/api/v1/operator/status"));
        return status.RootElement.GetProperty("cluster").GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("address").GetString()!, m.GetProperty("status").GetString()!))
            .ToList();
    }

    /// <summary>Waits until <paramref name="node"/> sees <paramref name="count"/> members up.</summary>
    public static async Task<IReadOnlyList<string>> WaitForMembersUpAsync(NodeProcess node, int count, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        IReadOnlyList<(string Address, string Status)> members = [];
        while (true)
        {
            try
            {
                members = await MembersAsync(node);
                var up = members.Where(m => m.Status == "up").Select(m => m.Address).ToList();
                if (up.Count == count)
                {
                    return up;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not answering yet (or any more): ask again until the deadline.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Node {node.Index} did not see {count} members up within {limit.TotalSeconds} s "
                    + $"(it sees {string.Join(", ", members.Select(m => $"{m.Address} {m.Status}"))}); its log ends:\n{node.Tail()}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>An HTTP client with the demo operator key, for /api/v1/operator.</summary>
    public static HttpClient OperatorClient()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        return http;
    }
}

/// <summary>Test classes marked <c>[Collection(ClusterFixture.Shared)]</c> share one cluster, started once for all of them.</summary>
[CollectionDefinition(ClusterFixture.Shared)]
public sealed class SharedCluster : ICollectionFixture<ClusterFixture>;
