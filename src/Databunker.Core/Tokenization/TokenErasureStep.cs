using Databunker.Core.Kernel;
using Databunker.Core.Storage;

namespace Databunker.Core.Tokenization;

/// <summary>The tokens module's part of a forget: every token the person owns goes with them.</summary>
internal sealed class TokenErasureStep(ITokenStore store) : IErasureStep
{
    public Task EnlistAsync(IErasureTransaction erasure, Guid person, CancellationToken cancellationToken) =>
        store.EnlistErasureAsync(erasure, person, cancellationToken);
}
