namespace Switch.Host.Tests.Cluster;

/// <summary>Test classes that start several node processes each run one after another, not all at once on a small machine.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterProcesses
{
    public const string Name = "Cluster processes";
}
