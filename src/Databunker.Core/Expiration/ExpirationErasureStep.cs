using Databunker.Core.Kernel;
using Databunker.Core.Storage;

namespace Databunker.Core.Expiration;

/// <summary>The expiration module's part of a forget: the person's expiration goes with them.</summary>
internal sealed class ExpirationErasureStep(IExpirationStore store) : IErasureStep
{
    public Task EnlistAsync(IErasureTransaction erasure, Guid person, CancellationToken cancellationToken) =>
        store.EnlistErasureAsync(erasure, person, cancellationToken);
}
