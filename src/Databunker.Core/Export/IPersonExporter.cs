namespace Databunker.Core.Export;

/// <summary>
/// The subject-access export (GDPR Art. 15, and Art. 20's portable copy): everything the library holds about a
/// person, as one JSON document written straight to a stream. The format is described in <c>docs/export.md</c> and
/// versioned by its <c>formatVersion</c> member. Every module writes its own section, so a module that keeps data
/// about a person is in the export.
/// </summary>
[Diagnostics.Instrumented("export")]
public interface IPersonExporter
{
    /// <summary>
    /// Writes the person's export to <paramref name="destination"/> as UTF-8 JSON, section by section, without
    /// building the document in memory. Audited as <c>person.export</c> once the document is written. The stream is
    /// flushed, not closed. The export holds the person's data in plaintext: send it to them over a channel you
    /// trust, and do not keep it.
    /// </summary>
    /// <param name="person">The person's token.</param>
    /// <param name="destination">A writable stream.</param>
    /// <param name="cancellationToken">Stops the export; what was written so far is not a complete document.</param>
    /// <returns>A task that completes when the document is written.</returns>
    /// <exception cref="PersonNotFoundException">The person does not exist (or was forgotten).</exception>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task ExportAsync(Guid person, Stream destination, CancellationToken cancellationToken = default);
}
