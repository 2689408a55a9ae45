namespace Databunker.Core.Storage;

/// <summary>The diagnostic that marks the storage roles experimental until 1.0.</summary>
internal static class StorageApi
{
    public const string ExperimentalId = "DBNK001";

    public const string UrlFormat = "https://github.com/databunker-core/databunker.core/blob/main/docs/architecture.md#storage-roles";
}
