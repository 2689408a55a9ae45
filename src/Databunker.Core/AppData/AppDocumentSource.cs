using System.Text.Json;

namespace Databunker.Core.AppData;

/// <summary>
/// The app-data module's documents, by application name, for the modules that share a part of one; never a document
/// that holds credentials (<see cref="AppDataApplication.HoldsCredentials"/>).
/// </summary>
internal sealed class AppDocumentSource(IAppDataManager appData, IOptions<DatabunkerOptions> options) : IDocumentSource
{
    public async Task<JsonElement?> GetDocumentAsync(Guid person, string name, CancellationToken cancellationToken)
    {
        if (options.Value.AppData.Apps.TryGetValue(name, out var application) && application.HoldsCredentials)
        {
            throw new VaultInputException($"The application '{name}' holds credentials: no share link is made of its documents.", nameof(name));
        }

        return (await appData.GetAsync(person, name, cancellationToken).ConfigureAwait(false))?.Data;
    }
}
