using Switch.Host.Tests.Infrastructure;

namespace Switch.Host.Tests.Rest;

/// <summary>
/// The REST tests share one host and run one class at a time: a host per class would start a dozen actor systems at
/// once on a small machine and starve the timing-sensitive ISO 8583 tests running beside them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RestCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "REST API and bank authorisation";
}
