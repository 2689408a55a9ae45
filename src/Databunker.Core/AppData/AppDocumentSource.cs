using System.Text.Json;

namespace Databunker.Core.AppData;

/// <summary>The app-data module's documents, by application name, for the modules that share a part of one; credentials withheld.</summary>
internal sealed class AppDocumentSource(IAppDataManager appData) : IDocumentSource
{
    public async Task<JsonElement?> GetDocumentAsync(Guid person, string name, CancellationToken cancellationToken) =>
        (await appData.GetAsync(person, name, cancellationToken).ConfigureAwait(false))?.WithCredentialsWithheld();
}
