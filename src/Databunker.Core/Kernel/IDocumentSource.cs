using System.Text.Json;

namespace Databunker.Core.Kernel;

/// <summary>
/// The documents a module keeps per person under a name (the app-data module's, one per application), for a module
/// that shares a part of one: a share link reads the document through this, so that it names no module.
/// </summary>
internal interface IDocumentSource
{
    /// <summary>The person's document under <paramref name="name"/>, or <see langword="null"/> when there is none.</summary>
    Task<JsonElement?> GetDocumentAsync(Guid person, string name, CancellationToken cancellationToken);
}
