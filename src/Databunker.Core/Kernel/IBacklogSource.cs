namespace Databunker.Core.Kernel;

/// <summary>
/// A module's part of the due-work backlog (<see cref="IVaultAdministration.GetDueWorkBacklogAsync"/>): when its oldest
/// due item fell due, in Unix milliseconds, or <see langword="null"/> when none is due. The expiration module reports
/// its earliest due expiration.
/// </summary>
internal interface IBacklogSource
{
    Task<long?> GetEarliestDueAsync(CancellationToken cancellationToken);
}
