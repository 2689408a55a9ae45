using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Shares;

/// <summary>Options of <see cref="IShareLinkManager"/>.</summary>
public sealed class ShareOptions : IValidatableObject
{
    /// <summary>How long a link lives when its request names no lifetime; positive, at most <see cref="MaxLifetime"/>.</summary>
    /// <value>7 days.</value>
    [TimeSpanRange("00:00:00.001", "3650.00:00:00")]
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The longest lifetime a link can have; a request for a longer one is refused. Positive.</summary>
    /// <value>30 days.</value>
    [TimeSpanRange("00:00:00.001", "3650.00:00:00")]
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most redemptions one link may allow; 1 to 1,000,000.</summary>
    /// <value>100.</value>
    [Range(1, 1_000_000)]
    public int MaxReads { get; set; } = 100;

    /// <summary>The most fields one link may share; 1 to 1,000.</summary>
    /// <value>50.</value>
    [Range(1, 1000)]
    public int MaxFields { get; set; } = 50;

    /// <summary>How many expired links one batch of <see cref="IShareLinkManager.DeleteExpiredAsync"/> deletes; 1 to 100,000.</summary>
    /// <value>1,000.</value>
    [Range(1, 100_000)]
    public int RemovalBatchSize { get; set; } = 1000;

    /// <summary>The rule between options: the default lifetime within the maximum.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (DefaultLifetime > MaxLifetime)
        {
            yield return new ValidationResult("The default share lifetime must not be longer than the maximum.", [nameof(DefaultLifetime), nameof(MaxLifetime)]);
        }
    }
}
