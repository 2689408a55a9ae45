using System.Text.Json;

namespace Databunker.Core.Privacy;

/// <summary>
/// A profile field a processing activity uses (GDPR Art. 5(1)(c)): where it is in the profile, what a read for the
/// activity's purpose sees of it, and how long the activity needs it. Declared in
/// <see cref="ProcessingActivity.Fields"/>, in code or configuration (<c>Privacy:Activities:0:Fields:0:Path</c>).
/// </summary>
public sealed record PurposeField
{
    /// <summary>
    /// The field, as a JSON Pointer (RFC 6901) into the profile: <c>/email</c>, <c>/address/city</c>. A pointer to an
    /// object covers everything in it.
    /// </summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>What a read for the purpose returns: the value, or a mask of it.</summary>
    /// <value><see cref="FieldView.Plain"/>.</value>
    public FieldView View { get; set; }

    /// <summary>The name of a transform the host registered with <see cref="PrivacyBuilderExtensions.AddFieldTransform"/>; required with <see cref="FieldView.Transform"/>.</summary>
    public string? Transform { get; set; }

    /// <summary>
    /// How long the activity needs the field, counted from <see cref="RetentionFrom"/>; <see langword="null"/> while the
    /// activity lasts for the person (until it is ended or, for consent, withdrawn).
    /// </summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>The event <see cref="Retention"/> is counted from.</summary>
    /// <value><see cref="RetentionEvent.Collection"/>.</value>
    public RetentionEvent RetentionFrom { get; set; }
}

/// <summary>What a read for a purpose sees of a field.</summary>
public enum FieldView
{
    /// <summary>The value as stored.</summary>
    Plain,

    /// <summary>The last four characters, after four asterisks (<c>****1234</c>); a value of four characters or fewer is all asterisks.</summary>
    LastFour,

    /// <summary>The domain of an email address (<c>shop.example</c>); a value that is not an address is left out.</summary>
    EmailDomain,

    /// <summary>The year of a date (<c>1990</c> for <c>1990-05-17</c>); a value that is not an ISO 8601 date is left out.</summary>
    Year,

    /// <summary>The host's transform named by <see cref="PurposeField.Transform"/>.</summary>
    Transform,
}

/// <summary>The event a field's retention is counted from.</summary>
public enum RetentionEvent
{
    /// <summary>When the person was stored.</summary>
    Collection,

    /// <summary>The last read of the field's purpose for the person (or, before any, when the person was stored).</summary>
    LastUse,

    /// <summary>When the host ended the purpose for the person: the end of their contract.</summary>
    ContractEnd,

    /// <summary>When the person withdrew their consent (or it lapsed); for an activity that rests on consent.</summary>
    ConsentWithdrawal,
}

/// <summary>
/// A host's own view of a field (<see cref="FieldView.Transform"/>): it gets the stored value and returns what a read
/// for the purpose sees, or <see langword="null"/> to leave the field out. It must not throw, and must not log the value.
/// </summary>
/// <param name="Name">The name a <see cref="PurposeField.Transform"/> refers to, in the form of an activity's name.</param>
/// <param name="Apply">The transform.</param>
public sealed record FieldTransform(string Name, Func<JsonElement, JsonElement?> Apply);
