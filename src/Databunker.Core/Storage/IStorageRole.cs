using System.Diagnostics.CodeAnalysis;

namespace Databunker.Core.Storage;

/// <summary>
/// Marks a storage role: one small interface per module (<see cref="IVaultStore"/>, <see cref="IPersonStore"/>,
/// <see cref="ITokenStore"/> ...). <c>UseStorage&lt;T&gt;()</c> registers a storage class for every role it implements.
/// </summary>
[Experimental(StorageApi.ExperimentalId, UrlFormat = StorageApi.UrlFormat)]
#pragma warning disable CA1040 // A marker by design: the builder finds a storage's roles through it.
public interface IStorageRole;
#pragma warning restore CA1040
