namespace Databunker.Core.Expiration;

/// <summary>Options of <see cref="IExpirationManager"/>.</summary>
public sealed class ExpirationOptions
{
    /// <summary>The time until due when <see cref="IExpirationManager.StartAsync"/> is given none. Default 30 days.</summary>
    public TimeSpan DefaultRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The longest time until due; a later one is capped to it. Default 365 days.</summary>
    public TimeSpan MaxRetention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// The absolute base address the two links are built from: <c>{base}retain/{token}</c> and
    /// <c>{base}delete/{token}</c>. When <see langword="null"/> (the default) the links are not built.
    /// </summary>
    public Uri? LinkBaseAddress { get; set; }

    /// <summary>How many due persons one scheduler batch claims. Default 500.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How long a claim by a scheduler pass holds before another pass may take the person over (a pass
    /// that crashed mid-batch). Default 5 minutes.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
