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

    /// <summary>The rules of a catalogue: names well formed and unique, every named notice declared, a notice for each consent-based activity, positive retentions.</summary>
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
        }
    }
}
