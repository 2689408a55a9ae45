using System.ComponentModel.DataAnnotations;

namespace Databunker.Core.Privacy;

/// <summary>The host's privacy catalogue: who the controller is, its processing activities and its notices.</summary>
public sealed class PrivacyCatalogOptions : IValidatableObject
{
    /// <summary>The controller's name and contact details, for the record of processing activities (Art. 30(1)(a)).</summary>
    public string? Controller { get; set; }

    /// <summary>The data protection officer's contact details, where there is one (Art. 30(1)(a)).</summary>
    public string? DataProtectionOfficer { get; set; }

    /// <summary>The processing activities.</summary>
    public IList<ProcessingActivity> Activities { get; } = [];

    /// <summary>The notices shown to persons.</summary>
    public IList<PrivacyNotice> Notices { get; } = [];

    /// <summary>
    /// Whether every read of personal data must name its purpose (<see cref="Databunker.Core.PurposeBoundVault"/>): a profile read
    /// or an app-data read without one is refused with <see cref="PurposeNotAllowedException"/> (detokenization is not yet
    /// bound to purposes). Recommended; off by default so that existing hosts keep working.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool RequirePurpose { get; set; }

    /// <summary>What the vault does with a profile field that no activity declares (<see cref="ProcessingActivity.Fields"/>) when it is written.</summary>
    /// <value><see cref="Privacy.CollectionLimit.Off"/>.</value>
    public CollectionLimit CollectionLimit { get; set; }

    /// <summary>
    /// The rules of a catalogue: names well formed and unique, every named notice declared, a notice for each
    /// consent-based activity, positive retentions, fields that are JSON Pointers with a view and a retention event
    /// that fit, and a collection limit only where fields are declared.
    /// </summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        var notices = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Notices.Count; i++)
        {
            var notice = Notices[i];
            if (!Kernel.Names.IsWellFormed(notice?.Name) || string.IsNullOrWhiteSpace(notice!.Text))
            {
                yield return new ValidationResult(
                    $"Notices:{i} needs a well-formed Name (lower-case letters, digits, '.', '_', '-') and a Text.", [nameof(Notices)]);
            }
            else if (!notices.Add(notice.Name))
            {
                yield return new ValidationResult($"The notice '{notice.Name}' is declared twice.", [nameof(Notices)]);
            }
        }

        var activities = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Activities.Count; i++)
        {
            var activity = Activities[i];
            if (activity is null || !Kernel.Names.IsWellFormed(activity.Name) || string.IsNullOrWhiteSpace(activity.Purpose) || !Enum.IsDefined(activity.LegalBasis))
            {
                var missing = activity is null ? "everything"
                    : string.Join(", ", new[]
                    {
                        Kernel.Names.IsWellFormed(activity.Name) ? null : "a well-formed Name",
                        string.IsNullOrWhiteSpace(activity.Purpose) ? "a Purpose" : null,
                        Enum.IsDefined(activity.LegalBasis) ? null : $"a LegalBasis of Art. 6(1) ({string.Join(", ", Enum.GetNames<LegalBasis>())})",
                    }.OfType<string>());
                yield return new ValidationResult($"Activities:{i} needs {missing}.", [nameof(Activities)]);
                continue;
            }

            if (!activities.Add(activity.Name))
            {
                yield return new ValidationResult($"The activity '{activity.Name}' is declared twice.", [nameof(Activities)]);
            }

            if (activity.Notice is { } notice && !notices.Contains(notice))
            {
                yield return new ValidationResult($"The activity '{activity.Name}' names the notice '{notice}', which is not declared.", [nameof(Activities)]);
            }

            if (activity.LegalBasis == LegalBasis.Consent && activity.Notice is null)
            {
                yield return new ValidationResult($"The activity '{activity.Name}' rests on consent and so needs the notice a person consents to.", [nameof(Activities)]);
            }

            if (activity.Retention is { } retention && retention <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"The activity '{activity.Name}' has a retention that is not positive.", [nameof(Activities)]);
            }

            if (Purposes.IsBuiltIn(activity.Name))
            {
                yield return new ValidationResult($"The activity name '{activity.Name}' is the vault's own purpose; choose another.", [nameof(Activities)]);
            }

            foreach (var problem in FieldProblems(activity))
            {
                yield return new ValidationResult($"The activity '{activity.Name}' {problem}.", [nameof(Activities)]);
            }
        }

        if (CollectionLimit != CollectionLimit.Off && !Activities.Any(a => a?.Fields.Count > 0))
        {
            yield return new ValidationResult(
                "CollectionLimit needs activities that declare their Fields: with none declared, every field would be refused.", [nameof(CollectionLimit)]);
        }

        if (!Enum.IsDefined(CollectionLimit))
        {
            yield return new ValidationResult($"CollectionLimit must be one of {string.Join(", ", Enum.GetNames<CollectionLimit>())}.", [nameof(CollectionLimit)]);
        }
    }

    /// <summary>What is wrong with an activity's field declarations, as the end of a sentence that starts with the activity.</summary>
    private static IEnumerable<string> FieldProblems(ProcessingActivity activity)
    {
        var pointers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in activity.Fields)
        {
            if (field is null || !Kernel.JsonPointer.TryParse(field.Path, out var tokens) || tokens.Any(t => t.Length == 0))
            {
                yield return $"declares a field whose Path is not a JSON Pointer to a member (such as /email or /address/city): '{field?.Path}'";
                continue;
            }

            if (!pointers.Add(field.Path))
            {
                yield return $"declares the field {field.Path} twice";
            }

            if (!Enum.IsDefined(field.View))
            {
                yield return $"gives the field {field.Path} a View that is not one of {string.Join(", ", Enum.GetNames<FieldView>())}";
            }
            else if ((field.View == FieldView.Transform) != (field.Transform is not null))
            {
                yield return $"gives the field {field.Path} a Transform without View Transform, or View Transform without naming the Transform";
            }

            if (field.Retention is { } retention && retention <= TimeSpan.Zero)
            {
                yield return $"gives the field {field.Path} a retention that is not positive";
            }

            if (!Enum.IsDefined(field.RetentionFrom))
            {
                yield return $"counts the retention of {field.Path} from an event that is not one of {string.Join(", ", Enum.GetNames<RetentionEvent>())}";
            }
            else if (field.RetentionFrom == RetentionEvent.ConsentWithdrawal && activity.LegalBasis != LegalBasis.Consent)
            {
                yield return $"counts the retention of {field.Path} from a consent withdrawal, but does not rest on consent";
            }
        }

        foreach (var app in activity.AppData.Where(a => !Kernel.Names.IsWellFormed(a)))
        {
            yield return $"names an app-data application that is not a well-formed name: '{app}'";
        }

        foreach (var scope in activity.TokenScopes.Where(s => string.IsNullOrEmpty(s)))
        {
            yield return "names an empty token scope";
        }
    }
}

/// <summary>What the vault does when a profile it is given holds a field that no activity declares.</summary>
public enum CollectionLimit
{
    /// <summary>Nothing: every field is stored.</summary>
    Off,

    /// <summary>The field is stored and a warning naming it (never its value) is logged.</summary>
    Warn,

    /// <summary>The create or update is refused with a <see cref="VaultInputException"/> naming the field.</summary>
    Refuse,
}
