namespace Databunker.Core.Tokenization;

/// <summary>Whether tokenizing the same value twice gives the same token.</summary>
public enum TokenKind
{
    /// <summary>A new token every call.</summary>
    Random = 1,

    /// <summary>The same value in the same scope gives the same token, so hosts can join and count on tokens.</summary>
    Deterministic = 2,
}
