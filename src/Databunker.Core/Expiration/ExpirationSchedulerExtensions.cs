namespace Databunker.Core.Expiration;

/// <summary>A small helper for hosts that want the scheduler passes run on a timer.</summary>
public static class ExpirationSchedulerExtensions
{
    /// <summary>
    /// Runs <see cref="IExpirationManager.RunDueAsync"/> once every <paramref name="period"/> on a
    /// <see cref="PeriodicTimer"/> until <paramref name="cancellationToken"/> is cancelled, then returns.
    /// A pass that throws ends the loop with its exception. In a generic host, prefer <c>AddScheduler()</c> of
    /// Databunker.Core.Hosting: it runs every module's due work, retries failed passes with a back-off and never
    /// stops the host.
    /// </summary>
    /// <param name="manager">The expiration manager.</param>
    /// <param name="period">The time between passes; positive.</param>
    /// <param name="timeProvider">The clock of the timer; default the system clock.</param>
    /// <param name="onPass">Receives each pass's counts; optional.</param>
    /// <param name="cancellationToken">Stops the loop.</param>
    public static async Task RunPeriodicallyAsync(
        this IExpirationManager manager,
        TimeSpan period,
        TimeProvider? timeProvider = null,
        Action<ExpirationPassResult>? onPass = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        using var timer = new PeriodicTimer(period, timeProvider ?? TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var result = await manager.RunDueAsync(cancellationToken).ConfigureAwait(false);
                onPass?.Invoke(result);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancellation is how the loop ends.
        }
    }
}
