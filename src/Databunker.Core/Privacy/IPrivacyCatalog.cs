namespace Databunker.Core.Privacy;

/// <summary>
/// The privacy catalogue the host declares (<see cref="PrivacyCatalogOptions"/>): its processing activities with
/// their legal bases, and its notices, whose texts are published as immutable versions identified by a content
/// hash. It generates the record of processing activities (GDPR Art. 30) and the retention notice that CPRA
/// requires at collection. Publishing and every change of the catalogue are audited.
/// </summary>
[Diagnostics.Instrumented("privacy")]
public interface IPrivacyCatalog
{
    /// <summary>The declared processing activities.</summary>
    IReadOnlyList<ProcessingActivity> Activities { get; }

    /// <summary>Finds an activity by name.</summary>
    /// <param name="name">The activity's name.</param>
    /// <returns>The activity, or <see langword="null"/>.</returns>
    ProcessingActivity? FindActivity(string name);

    /// <summary>
    /// Publishes every declared notice whose text differs from its latest published version, as a new version, and
    /// records a changed catalogue; each publication is audited as <c>catalog.notice.publish</c>, a change of the
    /// catalogue as <c>catalog.change</c>. Run it at start, after <see cref="IVaultAdministration.InitializeAsync"/>;
    /// it is idempotent, and hosts running it at once publish each text once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The notices published by this call (none when nothing changed).</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<PublishedNotice>> PublishAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads a published notice: the latest version, or the one given.</summary>
    /// <param name="name">The notice's name.</param>
    /// <param name="version">The version, or <see langword="null"/> for the latest.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The version, or <see langword="null"/> when it was never published.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<PublishedNotice?> GetNoticeAsync(string name, int? version = null, CancellationToken cancellationToken = default);

    /// <summary>Every published version of a notice, oldest first.</summary>
    /// <param name="name">The notice's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The versions.</returns>
    /// <exception cref="DatabunkerStorageException">The storage failed; <see cref="DatabunkerStorageException.IsTransient"/> says whether a retry can help.</exception>
    Task<IReadOnlyList<PublishedNotice>> GetNoticeHistoryAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The record of processing activities (Art. 30(1)) as indented JSON.</summary>
    /// <returns>The record.</returns>
    string GetRecordOfProcessingJson();

    /// <summary>The record of processing activities (Art. 30(1)) as Markdown, one section per activity.</summary>
    /// <returns>The record.</returns>
    string GetRecordOfProcessingMarkdown();

    /// <summary>The notice at collection that CPRA requires (Cal. Civ. Code 1798.100(a)): each purpose, the categories of personal information it uses, and how long each is kept.</summary>
    /// <returns>The notice, as Markdown.</returns>
    string GetRetentionNoticeMarkdown();
}
