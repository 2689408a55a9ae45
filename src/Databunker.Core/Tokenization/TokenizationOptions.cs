namespace Databunker.Core.Tokenization;

/// <summary>Options of <see cref="ITokenizer"/>.</summary>
public sealed class TokenizationOptions
{
    /// <summary>The longest value accepted, in characters. Default 16384; 1 to 1048576.</summary>
    public int MaxValueLength { get; set; } = 16 * 1024;

    /// <summary>How many expired tokens one batch of <see cref="ITokenizer.RemoveExpiredTokensAsync"/> deletes. Default 1000.</summary>
    public int RemovalBatchSize { get; set; } = 1000;
}
