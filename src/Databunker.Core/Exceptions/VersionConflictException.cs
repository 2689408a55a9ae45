namespace Databunker.Core;

/// <summary>
/// Thrown when a write that named an expected version finds the record at another version: another writer got
/// there first (or the record was created or deleted meanwhile). Nothing was written. Read the record again,
/// apply the change to what is there now, and write with the version just read.
/// </summary>
public sealed class VersionConflictException : DatabunkerException
{
    /// <summary>Creates the exception for a write that expected <paramref name="expectedVersion"/>.</summary>
    /// <param name="expectedVersion">The version the write expected.</param>
    public VersionConflictException(long expectedVersion)
        : base(expectedVersion == 0
            ? "The record already exists: the write expected none (version 0); nothing was written."
            : $"The record is no longer at version {expectedVersion}: another writer changed or deleted it; nothing was written.")
    {
        ExpectedVersion = expectedVersion;
    }

    /// <summary>The version the write expected; 0 when it expected no record.</summary>
    public long ExpectedVersion { get; }
}
