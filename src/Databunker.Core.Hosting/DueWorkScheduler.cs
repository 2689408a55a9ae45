using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Hosting;

/// <summary>
/// Runs the due-work pass on the host's period, on the container's <see cref="TimeProvider"/>. A pass that throws
/// is logged and retried after a delay that doubles with each failure in a row (up to
/// <see cref="DatabunkerSchedulerOptions.MaxRetryDelay"/>); nothing but the host's stop ends the loop, so that an
/// outage of the database never stops the host (under the default <c>BackgroundServiceExceptionBehavior</c> an
/// exception escaping here would).
/// </summary>
internal sealed class DueWorkScheduler(
    IVaultAdministration administration,
    IOptions<DatabunkerSchedulerOptions> options,
    TimeProvider time,
    DueWorkSchedulerState state,
    ILogger<DueWorkScheduler>? logger = null) : BackgroundService
{
    private readonly ILogger _logger = logger ?? NullLogger<DueWorkScheduler>.Instance;

    /// <summary>The wait after the <paramref name="failures"/>-th failed pass in a row.</summary>
    internal static TimeSpan RetryDelay(DatabunkerSchedulerOptions options, int failures)
    {
        var max = options.MaxRetryDelay > options.FirstRetryDelay ? options.MaxRetryDelay : options.FirstRetryDelay;
        var delay = options.FirstRetryDelay;
        for (var i = 1; i < failures && delay < max; i++)
        {
            delay *= 2;
        }

        return delay < max ? delay : max;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The host's start does not wait for the first pass.
        await Task.Yield();
        var settings = options.Value;
        DateTimeOffset? lastHousekeeping = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            Action report;
            try
            {
                var done = await administration.RunDueWorkAsync(stoppingToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                if (lastHousekeeping is not { } last || now - last >= settings.HousekeepingPeriod)
                {
                    var purged = await administration.PurgeAuditEventsAsync(stoppingToken).ConfigureAwait(false);
                    await administration.CompactAsync(stoppingToken).ConfigureAwait(false);
                    lastHousekeeping = now;
                    Log.Housekeeping(_logger, purged);
                }

                state.Succeeded(now);
                var total = done.Values.Sum();
                report = total > 0
                    ? () => Log.PassDone(_logger, total, string.Join(", ", done.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}")))
                    : () => Log.PassEmpty(_logger);
                wait = settings.Period;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed pass of any kind is retried: that is the point of this loop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var failures = state.Failed(ex);
                wait = RetryDelay(settings, failures);
                report = () => Log.PassFailed(_logger, failures, wait, ex is DatabunkerStorageException { IsTransient: true }, ex);
            }

            // The wait starts before the pass is reported, so that whoever reads the report finds the next pass scheduled.
            var next = Task.Delay(wait, time, stoppingToken);
            report();
            try
            {
                await next.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
