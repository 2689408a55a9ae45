namespace Databunker.Core;

/// <summary>How far behind the due work is (<see cref="IVaultAdministration.GetDueWorkBacklogAsync"/>).</summary>
/// <param name="EarliestDue">The due time of the waiting expiration due first; <see langword="null"/> when none waits.</param>
/// <param name="Overdue">How long ago <paramref name="EarliestDue"/> was; zero when it is still to come or none waits.</param>
public sealed record DueWorkBacklog(DateTimeOffset? EarliestDue, TimeSpan Overdue);
