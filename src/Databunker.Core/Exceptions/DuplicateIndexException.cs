namespace Databunker.Core;

/// <summary>
/// Thrown when a value that must be unique (a login, email, phone or custom index) is already taken by
/// another person. The message and <see cref="IndexName"/> name the index, never the value.
/// </summary>
public sealed class DuplicateIndexException : DatabunkerException
{
    /// <summary>Creates the exception for the given index.</summary>
    public DuplicateIndexException(string indexName)
        : base($"Another person already has this {indexName}: the {indexName} index is unique.")
    {
        IndexName = indexName;
    }

    /// <summary>The index whose value is taken: <c>login</c>, <c>email</c>, <c>phone</c> or <c>custom</c>.</summary>
    public string IndexName { get; }
}
