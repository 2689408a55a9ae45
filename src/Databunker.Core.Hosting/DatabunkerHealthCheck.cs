using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Hosting;

/// <summary>The vault's health: storage reachable, keys open, due work on time. Its data holds times and counts only.</summary>
internal sealed class DatabunkerHealthCheck(
    IVaultAdministration administration,
    IOptions<DatabunkerHealthCheckOptions> options,
    DueWorkSchedulerState? scheduler) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        DueWorkBacklog backlog;
        try
        {
            backlog = await administration.GetDueWorkBacklogAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DatabunkerStorageException ex)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                ex.IsTransient ? "The vault's storage cannot be reached now." : "The vault's storage fails.",
                ex,
                new Dictionary<string, object> { ["transient"] = ex.IsTransient });
        }
        catch (DatabunkerException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The vault cannot be opened: " + ex.Message, ex);
        }

        var data = new Dictionary<string, object>
        {
            ["overdue_seconds"] = Math.Round(backlog.Overdue.TotalSeconds, 3),
        };
        if (backlog.EarliestDue is { } earliest)
        {
            data["earliest_due"] = earliest.ToString("O", CultureInfo.InvariantCulture);
        }

        string? degraded = null;
        if (scheduler?.Read() is { } seen)
        {
            data["scheduler_failures_in_a_row"] = seen.FailuresInARow;
            if (seen.LastSuccess is { } success)
            {
                data["scheduler_last_success"] = success.ToString("O", CultureInfo.InvariantCulture);
            }

            if (seen.FailuresInARow > 0)
            {
                degraded = $"The last {seen.FailuresInARow} due-work pass(es) failed ({seen.LastFailure}).";
            }
        }

        if (backlog.Overdue > options.Value.MaxOverdue)
        {
            degraded ??= $"The oldest due expiration has waited {backlog.Overdue.TotalMinutes:0.#} minutes for its pass (more than {options.Value.MaxOverdue.TotalMinutes:0.#}).";
        }

        return degraded is null
            ? HealthCheckResult.Healthy("Storage reachable, keys open, due work on time.", data)
            : HealthCheckResult.Degraded(degraded, data: data);
    }
}
