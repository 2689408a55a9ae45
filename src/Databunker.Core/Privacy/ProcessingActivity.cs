namespace Databunker.Core.Privacy;

/// <summary>
/// A processing activity with the fields of the record of processing activities (GDPR Art. 30(1)): what it is for,
/// on which legal basis, about whom, which data, to whom it goes, where it goes, how long it is kept and how it is
/// protected. Declared by the host in <see cref="PrivacyCatalogOptions.Activities"/>, in code or configuration
/// (<c>Privacy:Activities:0:Name</c>, ...); a name, a purpose and a legal basis are required, which the options'
/// validation checks when the vault starts.
/// </summary>
public sealed record ProcessingActivity
{
    /// <summary>The activity's name: 1 to 64 characters of lower-case ASCII letters, digits, <c>.</c>, <c>_</c> and <c>-</c> (<c>newsletter</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The purpose of the processing, in words the person understands (Art. 30(1)(b)).</summary>
    public string Purpose { get; set; } = string.Empty;

    /// <summary>The legal basis (Art. 6(1)).</summary>
    public LegalBasis LegalBasis { get; set; }

    /// <summary>What the basis rests on: the contract, the law, or the legitimate interest pursued (Art. 13(1)(d)); optional.</summary>
    public string? LegalBasisDetail { get; set; }

    /// <summary>The categories of data subjects (Art. 30(1)(c)): customers, employees ...</summary>
    public IReadOnlyList<string> SubjectCategories { get; set; } = [];

    /// <summary>The categories of personal data (Art. 30(1)(c)): contact details, order history ...</summary>
    public IReadOnlyList<string> DataCategories { get; set; } = [];

    /// <summary>The categories of recipients (Art. 30(1)(d)).</summary>
    public IReadOnlyList<string> Recipients { get; set; } = [];

    /// <summary>Transfers to third countries or international organisations, with their safeguards (Art. 30(1)(e)).</summary>
    public IReadOnlyList<ThirdCountryTransfer> Transfers { get; set; } = [];

    /// <summary>How long the data is kept for this purpose (Art. 30(1)(f)); <see langword="null"/> when <see cref="RetentionDescription"/> says it in words.</summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>The retention in words, where a duration does not say it (until the contract ends, plus six years).</summary>
    public string? RetentionDescription { get; set; }

    /// <summary>The technical and organisational security measures (Art. 30(1)(g), Art. 32(1)).</summary>
    public IReadOnlyList<string> SecurityMeasures { get; set; } = [];

    /// <summary>The name of the notice (<see cref="PrivacyCatalogOptions.Notices"/>) a person is shown for this activity; required for consent.</summary>
    public string? Notice { get; set; }

    /// <summary>
    /// The profile fields the activity uses, each with its view and retention: a read for the activity's purpose
    /// (<see cref="Databunker.Core.PurposeBoundVault"/>) returns these and nothing else. Empty: the activity reads no profile field.
    /// </summary>
    public IReadOnlyList<PurposeField> Fields { get; set; } = [];

    /// <summary>The app-data applications (<see cref="AppData.AppDataOptions"/>) whose documents the activity reads.</summary>
    public IReadOnlyList<string> AppData { get; set; } = [];

    /// <summary>The token scopes (<see cref="Tokenization.TokenizeOptions.Scope"/>) whose values the activity reads.</summary>
    public IReadOnlyList<string> TokenScopes { get; set; } = [];
}

/// <summary>A transfer of personal data to a third country or an international organisation (GDPR Art. 30(1)(e), Art. 46).</summary>
/// <param name="Destination">The country or organisation.</param>
/// <param name="Safeguard">The safeguard: an adequacy decision, standard contractual clauses, binding corporate rules ...</param>
public sealed record ThirdCountryTransfer(string Destination, string Safeguard);

/// <summary>A notice a person is shown (a consent text, a privacy notice), declared by the host. Its text is published as an immutable version.</summary>
public sealed record PrivacyNotice
{
    /// <summary>The notice's name, in the same form as an activity's.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The text shown. A changed text is published as a new version; a published version never changes.</summary>
    public string Text { get; set; } = string.Empty;
}

/// <summary>A published version of a notice, as <see cref="IPrivacyCatalog"/> keeps it.</summary>
/// <param name="Name">The notice's name.</param>
/// <param name="Version">1 for the first text published under the name, one higher for each changed text.</param>
/// <param name="ContentHash">The SHA-256 of the text's UTF-8 bytes, in lower-case hex: what identifies the exact text shown.</param>
/// <param name="Text">The text.</param>
/// <param name="PublishedAt">When the version was published.</param>
public sealed record PublishedNotice(string Name, int Version, string ContentHash, string Text, DateTimeOffset PublishedAt);
