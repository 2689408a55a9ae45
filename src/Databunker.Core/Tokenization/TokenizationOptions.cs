using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Tokenization;

/// <summary>Options of <see cref="ITokenizer"/>.</summary>
public sealed class TokenizationOptions
{
    /// <summary>The longest value accepted, in characters; 1 to 1,048,576.</summary>
    /// <value>16,384.</value>
    [Range(1, 1024 * 1024)]
    public int MaxValueLength { get; set; } = 16 * 1024;

    /// <summary>How many expired tokens one batch of <see cref="ITokenizer.DeleteExpiredTokensAsync"/> deletes; 1 to 100,000.</summary>
    /// <value>1,000.</value>
    [Range(1, 100_000)]
    public int RemovalBatchSize { get; set; } = 1000;
}
