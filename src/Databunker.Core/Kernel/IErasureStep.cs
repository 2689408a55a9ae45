namespace Databunker.Core.Kernel;

/// <summary>
/// A module's part of forgetting a person: it adds its deletions to the one erasure transaction. Every module
/// that keeps anything about a person registers one, so that no module can be left out of a forget.
/// </summary>
internal interface IErasureStep
{
    /// <summary>The module's storage role, whose rows the step deletes.</summary>
    Type Role { get; }

    /// <summary>Adds this module's deletions for <paramref name="person"/> to <paramref name="erasure"/>.</summary>
    Task EnlistAsync(IErasureTransaction erasure, Guid person, CancellationToken cancellationToken);
}
