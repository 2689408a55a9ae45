namespace Databunker.Core.Consent;

/// <summary>
/// The consent ledger: every decision a person makes about a consent-based activity (granted, refused, withdrawn)
/// is a new event naming the exact notice version they were shown, how and where they decided, and evidence sealed
/// under their key. Nothing is updated in place (Databunker keeps one mutable row per person and basis, and so
/// loses the history that EDPB Guidelines 05/2020 ask a controller to be able to show). The current state is
/// derived from the events; the due-work pass closes consents whose validity ended.
/// </summary>
public interface IConsentLedger
{
    /// <summary>Records a decision. Audited as <c>consent.record</c>.</summary>
    /// <param name="person">The person.</param>
    /// <param name="record">The decision.</param>
    /// <param name="cancellationToken">Cancels the call; nothing is written then.</param>
    /// <returns>The event as recorded.</returns>
    /// <exception cref="PersonNotFoundException">The person does not exist.</exception>
    /// <exception cref="VaultInputException">The activity is unknown or does not rest on consent, its notice version was never published, or a field is out of range.</exception>
    Task<ConsentEvent> RecordAsync(Guid person, ConsentRecord record, CancellationToken cancellationToken = default);

    /// <summary>A person's decisions, oldest first, with their evidence opened.</summary>
    /// <param name="person">The person.</param>
    /// <param name="activity">One activity's, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events.</returns>
    Task<IReadOnlyList<ConsentEvent>> GetHistoryAsync(Guid person, string? activity = null, CancellationToken cancellationToken = default);

    /// <summary>Where a person stands on every consent-based activity of the catalogue.</summary>
    /// <param name="person">The person.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One state per consent-based activity, in the catalogue's order.</returns>
    Task<IReadOnlyList<ConsentState>> GetStateAsync(Guid person, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether an activity may run for a person now: on its legal basis when that is not consent, otherwise only when
    /// the person's latest decision granted consent for the notice's latest version and it has not expired.
    /// </summary>
    /// <param name="person">The person.</param>
    /// <param name="activity">The activity's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Whether it may run.</returns>
    Task<bool> IsAllowedAsync(Guid person, string activity, CancellationToken cancellationToken = default);

    /// <summary>
    /// Closes every granted consent whose validity ended with an <see cref="ConsentDecision.Expired"/> event, audited as
    /// <c>consent.expired</c>; part of <see cref="IVaultAdministration.RunDueWorkAsync"/>. Hosts running it at once close each once.
    /// </summary>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many consents were closed.</returns>
    Task<int> ExpireDueAsync(CancellationToken cancellationToken = default);
}
