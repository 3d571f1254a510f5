namespace Switch.Host.Tests.Infrastructure;

/// <summary>
/// Tests that start several server processes of their own (switch nodes, a PostgreSQL pair) under load: they run alone,
/// after the parallel ones, so that on a small machine their start-up and failover times do not starve, or starve
/// from, everything else.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessHeavyCollection
{
    public const string Name = "Process-heavy";
}
