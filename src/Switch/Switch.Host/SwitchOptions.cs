using Switch.Adapters.Iso8583.Framing;
using Switch.Positions;

namespace Switch.Host;

/// <summary>Settings from appsettings.json and environment variables (section "Switch", e.g. Switch__Iso__Port).</summary>
public sealed class SwitchOptions
{
    public const string Section = "Switch";

    public PostgresSettings Postgres { get; set; } = new();

    public RedisSettings Redis { get; set; } = new();

    /// <summary>Where the REST API and /health listen.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:8080";

    public HttpsSettings Https { get; set; } = new();

    public IsoListenerOptions Iso { get; set; } = new();

    /// <summary>Every request is answered within this time, even when a dependency is slow (spec: 5 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long after its approval a payment can still be reversed (57 after it).</summary>
    public TimeSpan ReversalTimeLimit { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How far back the check at start-up looks for approvals committed after their bank was answered 91: it must cover
    /// the time the switch was down. Longer costs start-up time on a busy journal.
    /// </summary>
    public TimeSpan LateCommitLookback { get; set; } = TimeSpan.FromHours(1);

    public ClusterSettings Cluster { get; set; } = new();

    /// <summary>Position actors: settling forgotten reservations, journal outages, cap refresh.</summary>
    public PositionSettings Positions { get; set; } = new();

    public Settlement.SettlementSettings Settlement { get; set; } = new();

    /// <summary>How long billers and their enrolments are kept in memory before they are read again.</summary>
    public TimeSpan CatalogRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a bank's settings are kept in memory before they are read again.</summary>
    public TimeSpan BankCacheTime { get; set; } = TimeSpan.FromSeconds(5);

    public SecretsSettings Secrets { get; set; } = new();

    public sealed class PostgresSettings
    {
        public string ConnectionString { get; set; } = "";
    }

    /// <summary>This node's actor-system address and the nodes it joins; none means a cluster of one.</summary>
    public sealed class ClusterSettings
    {
        public string Hostname { get; set; } = "127.0.0.1";

        public int Port { get; set; }

        /// <summary>The name other nodes reach this one by, when not <see cref="Hostname"/> (the interface bound, e.g. behind NAT).</summary>
        public string PublicHostname { get; set; } = "";

        public ClusterTlsSettings Tls { get; set; } = new();

        /// <summary>
        /// Every node's seed list, the same list in the same order on every node: only the first may start a cluster,
        /// and only when no other seed answers (a restarted node joins the cluster the others still form).
        /// </summary>
        public List<string> SeedNodes { get; set; } = [];

        /// <summary>How long a node's heartbeats may pause before the others mark it unreachable (the failure detector's acceptable pause).</summary>
        public TimeSpan UnreachableAfter { get; set; } = TimeSpan.FromSeconds(3);

        /// <summary>How long the membership must stay unchanged before the split-brain resolver downs the unreachable side (stable-after).</summary>
        public TimeSpan DownAfter { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>How long after a node is removed its shards and singletons start elsewhere: time for a downed side to stop its own.</summary>
        public TimeSpan HandOverMargin { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>After SIGTERM: how long the ISO 8583 banks signed off are given to move their traffic before their connections close.</summary>
        public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);
    }

    /// <summary>Where the key-encryption key comes from: a file, or the key itself; either holds 32 bytes in base64.</summary>
    public sealed class SecretsSettings
    {
        public string? KeyFile { get; set; }

        public string? Key { get; set; }
    }

    public sealed class RedisSettings
    {
        public string ConnectionString { get; set; } = "";

        /// <summary>How long a rate-limit settlement may take in Redis before this node counts on its own.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(250);

        /// <summary>While Redis is unavailable, how often it is tried again.</summary>
        public TimeSpan RetryEvery { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>How often each node adds its rate-limit counts to Redis and learns the other nodes' (BankRateLimiter).</summary>
        public TimeSpan SettleEvery { get; set; } = TimeSpan.FromMilliseconds(25);
    }
}

/// <summary>The bank-facing ISO 8583 listener.</summary>
public sealed class IsoListenerOptions
{
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 5800;

    public IsoTlsOptions Tls { get; set; } = new();

    /// <summary>A built-in profile name (spec-ascii, pos-bcd) or a profile JSON file.</summary>
    public string Profile { get; set; } = "spec-ascii";

    public LengthHeader Framing { get; set; } = LengthHeader.Binary2;

    public bool Tpdu { get; set; }

    public int MaxFrameLength { get; set; } = 8192;

    /// <summary>How long a frame may stay half-received before the connection is closed (idle between frames is fine).</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests one connection may have in progress; reading pauses beyond it.</summary>
    public int MaxInFlightPerConnection { get; set; } = 1000;

    /// <summary>A connection that has not signed on this long after it opened is closed.</summary>
    public TimeSpan SignOnTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Failed sign-ons one connection may make; the connection is closed after the last one's answer.</summary>
    public int MaxFailedSignOns { get; set; } = 3;

    /// <summary>ISO 8583 connections open at once, signed on or not; beyond it new ones are closed at once.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>ISO 8583 connections open at once from one remote address; beyond it its new ones are closed at once.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 100;

    /// <summary>
    /// How long a node's count of banks' connections stands in Redis without being renewed (every third of it): after a
    /// node dies, its connections stop counting against the banks' max_connections within this time.
    /// </summary>
    public TimeSpan ConnectionLease { get; set; } = TimeSpan.FromSeconds(15);

    public FrameFormat FrameFormat => new(Framing, Tpdu, MaxFrameLength);
}
