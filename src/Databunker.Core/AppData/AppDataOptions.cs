using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.AppData;

/// <summary>
/// Options of <see cref="IAppDataStore"/>: the applications that may keep data per person. A name that is not
/// registered here is refused, so that a typo cannot start a second, forgotten store of personal data.
/// </summary>
public sealed class AppDataOptions
{
    /// <summary>The largest document size accepted when an application names none: 64 KiB.</summary>
    public const int DefaultMaxDocumentBytes = 64 * 1024;

    private readonly Dictionary<string, AppDataRegistration> _apps = new(StringComparer.Ordinal);

    /// <summary>The registered applications, by name.</summary>
    public IReadOnlyDictionary<string, AppDataRegistration> Apps => _apps;

    /// <summary>How many expired documents one batch of <see cref="IAppDataStore.RemoveExpiredAsync"/> deletes; 1 to 100,000.</summary>
    /// <value>1,000.</value>
    [Range(1, 100_000)]
    public int RemovalBatchSize { get; set; } = 1000;

    /// <summary>
    /// Registers an application. Its name is 1 to 64 characters of lower-case ASCII letters, digits, <c>.</c>,
    /// <c>_</c> and <c>-</c>, starting with a letter or digit; it is not personal data and appears in the audit
    /// trail's sealed details and in exception messages.
    /// </summary>
    /// <param name="name">The application's name, for example <c>shop-cart</c>.</param>
    /// <param name="maxDocumentBytes">The largest document accepted, as compact UTF-8 JSON; 1 to 16 MiB.</param>
    /// <param name="retention">
    /// How long a document is kept after its last write before the due-work pass removes it, or
    /// <see langword="null"/> to keep it until it is deleted or its person is forgotten. A document's expiry is
    /// fixed when it is written: a changed retention applies from each document's next write.
    /// </param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">The name is malformed or registered already, the size is out of range, or the retention is not positive.</exception>
    public AppDataOptions Register(string name, int maxDocumentBytes = DefaultMaxDocumentBytes, TimeSpan? retention = null)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                "An application name is 1 to 64 characters of lower-case ASCII letters, digits, '.', '_' and '-', starting with a letter or digit.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxDocumentBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDocumentBytes, 16 * 1024 * 1024);
        if (retention is { } r && r <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), "The retention must be positive, or null to keep documents until they are deleted.");
        }

        if (!_apps.TryAdd(name, new AppDataRegistration(name, maxDocumentBytes, retention)))
        {
            throw new ArgumentException($"The application '{name}' is registered already.", nameof(name));
        }

        return this;
    }

    internal static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || !char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>An application registered with <see cref="AppDataOptions.Register"/>.</summary>
/// <param name="Name">The application's name.</param>
/// <param name="MaxDocumentBytes">The largest document accepted, in bytes of compact UTF-8 JSON.</param>
/// <param name="Retention">How long a document is kept after its last write, or <see langword="null"/> for no limit.</param>
public sealed record AppDataRegistration(string Name, int MaxDocumentBytes, TimeSpan? Retention);
