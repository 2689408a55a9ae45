using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Databunker.Core.Shared;

/// <summary>
/// A <see cref="TimeSpan"/> option's allowed range, for the generated options validators. It replaces
/// <c>[Range(typeof(TimeSpan), ...)]</c>, whose type converters the trimmer cannot follow. A null value passes, as
/// with <see cref="RangeAttribute"/>.
/// </summary>
/// <param name="minimum">The smallest value allowed, in the invariant <c>[d.]hh:mm:ss[.fff]</c> form.</param>
/// <param name="maximum">The largest value allowed, in the same form.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public string Minimum { get; } = minimum;

    public string Maximum { get; } = maximum;

    public override bool IsValid(object? value) =>
        value is not TimeSpan time || (time >= TimeSpan.Parse(Minimum, CultureInfo.InvariantCulture) && time <= TimeSpan.Parse(Maximum, CultureInfo.InvariantCulture));

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.InvariantCulture, "The field {0} must be between {1} and {2}.", name, Minimum, Maximum);
}
