using Databunker.Core.Shared;

namespace Databunker.Core.Hosting;

/// <summary>Options of the vault's health check (<see cref="DatabunkerHostingExtensions.AddDatabunker(Microsoft.Extensions.DependencyInjection.IHealthChecksBuilder, string?, Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus?, IEnumerable{string}?)"/>).</summary>
public sealed class DatabunkerHealthCheckOptions
{
    /// <summary>
    /// How long the oldest due expiration may wait for its pass before the check reports
    /// <see cref="Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded"/>; 1 second to 30 days.
    /// </summary>
    /// <value>15 minutes.</value>
    [TimeSpanRange("00:00:01", "30.00:00:00")]
    public TimeSpan MaxOverdue { get; set; } = TimeSpan.FromMinutes(15);
}
