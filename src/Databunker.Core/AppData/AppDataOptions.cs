using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.AppData;

/// <summary>
/// Options of <see cref="IAppDataManager"/>: the applications that may keep data per person. A name that is not
/// registered here is refused, so that a typo cannot start a second, forgotten store of personal data.
/// </summary>
public sealed class AppDataOptions : IValidatableObject
{
    /// <summary>The largest document size accepted when an application names none: 64 KiB.</summary>
    public const int DefaultMaxDocumentBytes = 64 * 1024;

    /// <summary>
    /// The registered applications, by name (<see cref="Register"/>, or configuration's
    /// <c>AppData:Apps:{name}:MaxDocumentBytes</c> and <c>:Retention</c>). A name is 1 to 64 characters of lower-case
    /// ASCII letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, starting with a letter or digit; it is not personal data
    /// and appears in the audit trail's sealed details and in exception messages.
    /// </summary>
    public IDictionary<string, AppDataApplication> Apps { get; } = new Dictionary<string, AppDataApplication>(StringComparer.Ordinal);

    /// <summary>How many expired documents one batch of <see cref="IAppDataManager.DeleteExpiredAsync"/> deletes; 1 to 100,000.</summary>
    /// <value>1,000.</value>
    [Range(1, 100_000)]
    public int RemovalBatchSize { get; set; } = 1000;

    /// <summary>Registers an application (<see cref="Apps"/>).</summary>
    /// <param name="name">The application's name, for example <c>shop-cart</c>.</param>
    /// <param name="maxDocumentBytes">The largest document accepted, as compact UTF-8 JSON; 1 to 16 MiB.</param>
    /// <param name="retention">How long a document is kept after its last write (<see cref="AppDataApplication.Retention"/>).</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">The name is malformed or registered already, the size is out of range, or the retention is not positive.</exception>
    public AppDataOptions Register(string name, int maxDocumentBytes = DefaultMaxDocumentBytes, TimeSpan? retention = null)
    {
        var application = new AppDataApplication { MaxDocumentBytes = maxDocumentBytes, Retention = retention };
        if (Problem(name, application) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        if (!Apps.TryAdd(name, application))
        {
            throw new ArgumentException($"The application '{name}' is registered already.", nameof(name));
        }

        return this;
    }

    /// <summary>Every application has a well-formed name, a size in range and a positive retention or none.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        foreach (var (name, application) in Apps)
        {
            if (Problem(name, application) is { } problem)
            {
                yield return new ValidationResult(problem, [nameof(Apps)]);
            }
        }
    }

    private static string? Problem(string name, AppDataApplication? application) =>
        !Kernel.Names.IsWellFormed(name) ? $"The application name '{name}' is not well-formed: an application name is 1 to 64 characters of lower-case ASCII letters, digits, '.', '_' and '-', starting with a letter or digit."
        : application is null ? $"The application '{name}' has no settings."
        : application.MaxDocumentBytes is < 1 or > 16 * 1024 * 1024 ? $"The application '{name}' has a MaxDocumentBytes outside 1 to 16 MiB."
        : application.Retention is { } r && r <= TimeSpan.Zero ? $"The application '{name}' has a retention that is not positive; leave it out to keep documents until they are deleted."
        : null;
}

/// <summary>The settings of one registered application (<see cref="AppDataOptions.Apps"/>).</summary>
public sealed class AppDataApplication
{
    /// <summary>The largest document accepted, as compact UTF-8 JSON; 1 to 16 MiB.</summary>
    /// <value><see cref="AppDataOptions.DefaultMaxDocumentBytes"/>, 64 KiB.</value>
    public int MaxDocumentBytes { get; set; } = AppDataOptions.DefaultMaxDocumentBytes;

    /// <summary>
    /// How long a document is kept after its last write before the due-work pass removes it, or <see langword="null"/>
    /// to keep it until it is deleted or its person is forgotten. A document's expiry is fixed when it is written: a
    /// changed retention applies from each document's next write.
    /// </summary>
    public TimeSpan? Retention { get; set; }
}

/// <summary>An application as the store uses it: its name and settings, fixed when the store was made.</summary>
internal sealed record AppDataRegistration(string Name, int MaxDocumentBytes, TimeSpan? Retention);
