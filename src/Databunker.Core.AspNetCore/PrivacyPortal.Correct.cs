using System.Text.Json;
using Databunker.Core.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

using Databunker.Core.Privacy;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// "Correct my data" (GDPR Art. 16): the fields the host allows, changed at once as one merge patch of the profile (its
/// lookups re-indexed by the vault), or, for a field the host checks first, sent as a rectification request.
/// </summary>
internal sealed partial class PrivacyPortal
{
    private const string FieldPrefix = "field.";
    private const int MaxFieldLength = 1024;

    private static readonly FormOptions CorrectionForm = new() { ValueCountLimit = 64, KeyLengthLimit = 128, ValueLengthLimit = MaxFieldLength, MultipartBodyLengthLimit = 65536, BufferBody = false };

    public Task CorrectPageAsync(HttpContext context) => AsPersonAsync(context, async person =>
    {
        var profile = await ProfileAsync(context, person);
        await CorrectPageAsync(context, 200, profile, Editable(context, profile).ToDictionary(f => f, f => Value(profile, f)), new Dictionary<string, string>(), null, false);
    });

    public Task CorrectAsync(HttpContext context) => AsPersonPostAsync(context, CorrectionForm, async (person, form) =>
    {
        var options = Options(context);
        var profile = await ProfileAsync(context, person);

        // A save can say that another account has an address or a number: saves are counted per person, so that the
        // form cannot be used to try many.
        if (correctionLimiter.TryAcquire(person.ToString(), null).Limit is not null)
        {
            await CorrectPageAsync(context, StatusCodes.Status429TooManyRequests, profile, Editable(context, profile).ToDictionary(f => f, f => Value(profile, f)),
                new Dictionary<string, string>(), "Correct.TooMany", true);
            return;
        }

        var typed = Editable(context, profile).ToDictionary(f => f, f => form[FieldPrefix + f].Count == 1 ? form[FieldPrefix + f].ToString().Trim() : Value(profile, f));
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var now = new Dictionary<string, string>(StringComparer.Ordinal);
        var checkedFirst = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in typed)
        {
            if (value == Value(profile, field))
            {
                continue;
            }

            if (value.Length == 0)
            {
                errors[field] = "Correct.Required";
                continue;
            }

            (options.FieldsCheckedFirst.Contains(field) ? checkedFirst : now)[field] = value;
        }

        if (errors.Count == 0 && now.Count > 0)
        {
            try
            {
                await context.RequestServices.GetRequiredService<IPersonalDataVault>().UpdatePersonAsync(
                    PersonLookup.ByToken(person), JsonSerializer.SerializeToElement(now, SessionJson.Default.DictionaryStringString), context.RequestAborted);
            }
            catch (DuplicateIndexException ex)
            {
                errors[FieldOf(ex.IndexName, now)] = ex.IndexName switch { "email" => "Correct.EmailTaken", "phone" => "Correct.PhoneTaken", "login" => "Correct.LoginTaken", _ => "Correct.Taken" };
            }
            catch (VaultInputException ex)
            {
                errors[FieldOf(ex.Field ?? string.Empty, now)] = ex.Field switch { "email" => "Correct.EmailInvalid", "phone" => "Correct.PhoneInvalid", _ => "Correct.Invalid" };
            }
        }

        if (errors.Count > 0)
        {
            await CorrectPageAsync(context, 400, profile, typed, errors, "Correct.Errors", true);
            return;
        }

        if (checkedFirst.Count > 0)
        {
            await context.RequestServices.GetRequiredService<IPrivacyRequestManager>().SubmitAsync(
                new PrivacyRequestSubmission
                {
                    Person = person, Type = PrivacyRequestType.Rectification, IdentityVerified = true, Change = JsonSerializer.SerializeToElement(checkedFirst, SessionJson.Default.DictionaryStringString),
                },
                context.RequestAborted);
        }

        var message = (now.Count, checkedFirst.Count) switch
        {
            (0, 0) => "Correct.Unchanged",
            (_, 0) => "Correct.Saved",
            (0, _) => "Correct.Requested",
            _ => "Correct.SavedAndRequested",
        };
        var saved = await ProfileAsync(context, person);
        await CorrectPageAsync(context, 200, saved, Editable(context, saved).ToDictionary(f => f, f => Value(saved, f)), errors, message, false);
    });

    private async Task CorrectPageAsync(
        HttpContext context, int status, JsonElement? profile, Dictionary<string, string> values, Dictionary<string, string> errors, string? message, bool isError)
    {
        var options = Options(context);
        var page = PersonContext(context, "correct");
        var text = (PortalText)page.Text;
        var fields = Editable(context, profile).Select(f => new PortalEditableField(
                f,
                Label(text, f),
                values[f],
                f switch { "email" => "email", "phone" => "tel", _ => "text" },
                f switch { "email" => "email", "phone" => "tel", "name" => "name", "firstName" => "given-name", "lastName" => "family-name", "city" => "address-level2", "country" => "country-name", "address" => "street-address", "birthdate" => "bday", _ => "off" },
                options.FieldsCheckedFirst.Contains(f),
                errors.TryGetValue(f, out var error) ? text[error].Value : null))
            .ToList();
        await pages.RenderAsync(context, status, new PortalCorrectPage(page, text["Nav.Correct"].Value, fields, message is null ? null : text[message].Value, isError),
            static m => new AspNetCoreGeneratedDocument.Templates_Correct { Model = m });
    }

    /// <summary>
    /// The correctable fields the form shows: those the profile holds as text or not at all. A number, a list or an object
    /// is left as it is (a text box would turn it into a string); the person asks for its correction with a request.
    /// </summary>
    private static IEnumerable<string> Editable(HttpContext context, JsonElement? profile) =>
        Options(context).CorrectableFields.Where(f =>
            profile is not { ValueKind: JsonValueKind.Object } p || !p.TryGetProperty(f, out var value) || value.ValueKind is JsonValueKind.String or JsonValueKind.Null);

    private static async Task<JsonElement?> ProfileAsync(HttpContext context, Guid person) =>
        (await context.RequestServices.GetRequiredService<IPersonalDataVault>().GetPersonForPurposeAsync(PersonLookup.ByToken(person), Purposes.DataProtection, context.RequestAborted))?.Profile;

    /// <summary>A text field as the form shows it; a missing (or null) one as empty.</summary>
    private static string Value(JsonElement? profile, string field) =>
        profile is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    /// <summary>The form's field that a refusal names (the vault names lookups: email, phone, login), or the first changed one.</summary>
    private static string FieldOf(string name, Dictionary<string, string> changed) =>
        changed.ContainsKey(name) ? name : changed.Keys.First();
}
