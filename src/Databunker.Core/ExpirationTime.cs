using System.Globalization;

namespace Databunker.Core;

/// <summary>
/// When an expiration falls due: after a <see cref="TimeSpan"/> from now, or at an absolute time.
/// Converts implicitly from both; <see cref="Parse"/> reads the shorthand <c>90s</c>, <c>45min</c>,
/// <c>12h</c>, <c>30d</c>, <c>4w</c>.
/// </summary>
public readonly record struct ExpirationTime
{
    private ExpirationTime(TimeSpan? after, DateTimeOffset? at)
    {
        After = after;
        At = at;
    }

    /// <summary>The time from now, when relative.</summary>
    public TimeSpan? After { get; }

    /// <summary>The absolute time, when absolute.</summary>
    public DateTimeOffset? At { get; }

    /// <summary>Due <paramref name="delay"/> from now; it must be positive.</summary>
    public static ExpirationTime FromDelay(TimeSpan delay) => new(delay, null);

    /// <summary>Due at <paramref name="dueAt"/>; it must be in the future when the expiration starts.</summary>
    public static ExpirationTime FromDueTime(DateTimeOffset dueAt) => new(null, dueAt);

    /// <summary>Same as <see cref="FromDelay"/>.</summary>
    public static implicit operator ExpirationTime(TimeSpan delay) => FromDelay(delay);

    /// <summary>Same as <see cref="FromDueTime"/>.</summary>
    public static implicit operator ExpirationTime(DateTimeOffset dueAt) => FromDueTime(dueAt);

    /// <summary>
    /// Reads the shorthand: a positive whole number directly followed by a unit, <c>s</c> (seconds),
    /// <c>min</c> (minutes), <c>h</c> (hours), <c>d</c> (days) or <c>w</c> (weeks), case-insensitive,
    /// surrounding spaces ignored. Refused: <c>m</c> (minutes or months?), a bare number, zero, a sign,
    /// a fraction, any other unit.
    /// </summary>
    /// <exception cref="VaultInputException">The text is not one of the accepted forms; the message says why.</exception>
    public static ExpirationTime Parse(string text) =>
        TryParse(text, out var delay, out var error) ? FromDelay(delay) : throw new VaultInputException(error, nameof(text));

    /// <summary>Like <see cref="Parse"/>, without throwing.</summary>
    public static bool TryParse(string? text, out TimeSpan delay) => TryParse(text, out delay, out _);

    /// <summary>
    /// The due time at <paramref name="now"/>, rounded up to whole milliseconds, the storage's resolution, so
    /// that nothing is due early. A time later than <paramref name="cap"/> from now is refused, not quietly
    /// shortened: the caller would otherwise promise the person a date the vault does not keep.
    /// </summary>
    internal DateTimeOffset Resolve(DateTimeOffset now, TimeSpan? cap, string paramName)
    {
        var requested = At ?? (After is { } after && after > TimeSpan.Zero && after <= TimeSpan.FromDays(365 * 100)
            ? now + after
            : throw new VaultInputException("The time must be positive (and under 100 years).", paramName));
        if (requested <= now)
        {
            throw new VaultInputException("The time must be in the future.", paramName);
        }

        if (cap is { } c && requested > now + c)
        {
            throw new VaultInputException(
                $"The time is beyond the longest retention allowed ({c.TotalDays:0.##} days from now, Expiration.MaxRetention); ask for at most that.",
                paramName);
        }

        var ms = (requested.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    private static bool TryParse(string? text, out TimeSpan delay, out string error)
    {
        delay = default;
        var value = text?.Trim() ?? string.Empty;
        var digits = 0;
        while (digits < value.Length && char.IsAsciiDigit(value[digits]))
        {
            digits++;
        }

        var unit = value[digits..].ToUpperInvariant();
        if (digits == 0)
        {
            error = "An expiration time must start with a whole number, as in 90s, 45min, 12h, 30d or 4w.";
            return false;
        }

        if (unit.Length == 0)
        {
            error = "A bare number is ambiguous: add a unit, as in 90s, 45min, 12h, 30d or 4w.";
            return false;
        }

        if (unit == "M")
        {
            error = "'m' is ambiguous (minutes or months?): write min for minutes, or days (30d) or weeks (4w).";
            return false;
        }

        var perUnit = unit switch
        {
            "S" => TimeSpan.FromSeconds(1),
            "MIN" => TimeSpan.FromMinutes(1),
            "H" => TimeSpan.FromHours(1),
            "D" => TimeSpan.FromDays(1),
            "W" => TimeSpan.FromDays(7),
            _ => TimeSpan.Zero,
        };
        if (perUnit == TimeSpan.Zero)
        {
            error = "Unknown unit: use s, min, h, d or w, as in 90s, 45min, 12h, 30d or 4w.";
            return false;
        }

        if (digits > 9 || !long.TryParse(value.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count == 0)
        {
            error = "The number must be between 1 and 999999999.";
            return false;
        }

        if (count > TimeSpan.MaxValue.Ticks / perUnit.Ticks)
        {
            error = "The expiration time is too long.";
            return false;
        }

        delay = TimeSpan.FromTicks(perUnit.Ticks * count);
        error = string.Empty;
        return true;
    }
}
