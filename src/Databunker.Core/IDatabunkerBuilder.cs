namespace Databunker.Core;

/// <summary>Configures the vault registered by <see cref="DatabunkerServiceCollectionExtensions.AddDatabunker"/>.</summary>
public interface IDatabunkerBuilder
{
    /// <summary>The service collection the vault is registered in.</summary>
    IServiceCollection Services { get; }
}
