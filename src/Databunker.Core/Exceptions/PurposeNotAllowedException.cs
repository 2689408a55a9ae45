namespace Databunker.Core;

/// <summary>
/// Thrown when a read of personal data is refused for its purpose: the purpose is not in the privacy catalogue, it
/// rests on consent the person has not given (or withdrew), it does not declare the data read, or
/// <see cref="Privacy.PrivacyCatalogOptions.RequirePurpose"/> is on and the read named none. Nothing was returned.
/// </summary>
public sealed class PurposeNotAllowedException : DatabunkerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="purpose">The purpose named, or <see langword="null"/> when none was.</param>
    /// <param name="reason">Why the read was refused.</param>
    public PurposeNotAllowedException(string? purpose, PurposeRefusal reason)
        : base(Explain(purpose, reason))
    {
        Purpose = purpose;
        Reason = reason;
    }

    /// <summary>The purpose named, or <see langword="null"/> when none was.</summary>
    public string? Purpose { get; }

    /// <summary>Why the read was refused.</summary>
    public PurposeRefusal Reason { get; }

    private static string Explain(string? purpose, PurposeRefusal reason) => reason switch
    {
        PurposeRefusal.PurposeRequired => "This vault requires every read of personal data to name its purpose (Privacy.RequirePurpose): read through ForPurpose(\"...\").",
        PurposeRefusal.NotDeclared => $"The purpose '{Printable(purpose)}' is not an activity of the privacy catalogue.",
        PurposeRefusal.NoConsent => $"The purpose '{purpose}' rests on consent, and the person has not given it or has withdrawn it.",
        _ => $"The purpose '{purpose}' does not declare the data read (its activity's AppData or TokenScopes).",
    };

    /// <summary>A name as the catalogue spells names, or a placeholder: what a caller passed might be anything.</summary>
    private static string Printable(string? purpose) => Kernel.Names.IsWellFormed(purpose) ? purpose! : "(not a well-formed name)";
}

/// <summary>Why a read was refused for its purpose.</summary>
public enum PurposeRefusal
{
    /// <summary>The read named no purpose, and the vault requires one.</summary>
    PurposeRequired,

    /// <summary>The purpose is not an activity of the catalogue.</summary>
    NotDeclared,

    /// <summary>
    /// The purpose rests on consent, and the person's latest decision is not a grant; or a token read for it has no
    /// owner, so no one's consent covers it.
    /// </summary>
    NoConsent,

    /// <summary>
    /// The purpose does not declare the app-data application or token scope read (a token made before tokens kept their
    /// scope has none, and only <see cref="Privacy.Purposes.DataProtection"/> reads it).
    /// </summary>
    DataNotDeclared,
}
