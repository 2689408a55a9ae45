using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Expiration;

/// <summary>Options of <see cref="IExpirationManager"/>.</summary>
public sealed class ExpirationOptions : IValidatableObject
{
    /// <summary>The time until due when <see cref="IExpirationManager.StartAsync"/> is given none; positive, at most <see cref="MaxRetention"/>.</summary>
    /// <value>30 days.</value>
    [TimeSpanRange("00:00:00.001", "3650000.00:00:00")]
    public TimeSpan DefaultRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The longest time until due; <see cref="IExpirationManager.StartAsync"/> refuses a later one. Positive.</summary>
    /// <value>365 days.</value>
    [TimeSpanRange("00:00:00.001", "3650000.00:00:00")]
    public TimeSpan MaxRetention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// The absolute base address the two links are built from: <c>{base}retain/{token}</c> and
    /// <c>{base}delete/{token}</c>. When <see langword="null"/> the links are not built.
    /// </summary>
    /// <value><see langword="null"/>.</value>
    public Uri? LinkBaseAddress { get; set; }

    /// <summary>How many due persons one scheduler batch claims; 1 to 100,000.</summary>
    /// <value>500.</value>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How long a claim by a scheduler pass holds before another pass may take the person over (a pass
    /// that crashed mid-batch). Positive.
    /// </summary>
    /// <value>5 minutes.</value>
    [TimeSpanRange("00:00:00.001", "3650000.00:00:00")]
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The rules between options: the default retention within the maximum, an absolute link base.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (DefaultRetention > MaxRetention)
        {
            yield return new ValidationResult("Expiration.DefaultRetention must be at most Expiration.MaxRetention.", [nameof(DefaultRetention)]);
        }

        if (LinkBaseAddress is { IsAbsoluteUri: false })
        {
            yield return new ValidationResult("Expiration.LinkBaseAddress must be an absolute URI.", [nameof(LinkBaseAddress)]);
        }
    }
}
