using System.Text.Json;

namespace Databunker.Core.Privacy;

/// <summary>Adds to the privacy catalogue what configuration cannot say: the host's own views of a field.</summary>
public static class PrivacyBuilderExtensions
{
    /// <summary>
    /// Registers a transform that a field's <see cref="PurposeField.Transform"/> names (with <see cref="FieldView.Transform"/>):
    /// a read for the field's purpose returns what it returns, or leaves the field out when it returns
    /// <see langword="null"/>. A name registered twice keeps the last transform.
    /// </summary>
    /// <param name="builder">The vault's builder.</param>
    /// <param name="name">The transform's name, in the form of an activity's name (<c>initials</c>).</param>
    /// <param name="transform">The transform. It must not throw, and must not log the value it gets.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The name is not well formed.</exception>
    public static IDatabunkerBuilder AddFieldTransform(this IDatabunkerBuilder builder, string name, Func<JsonElement, JsonElement?> transform)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(transform);
        if (!Kernel.Names.IsWellFormed(name))
        {
            throw new ArgumentException("A transform's name is 1 to 64 lower-case ASCII letters, digits, '.', '_' and '-'.", nameof(name));
        }

        builder.Services.AddSingleton(new FieldTransform(name, transform));
        return builder;
    }
}
