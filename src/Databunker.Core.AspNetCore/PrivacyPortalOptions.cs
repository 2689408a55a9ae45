using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Databunker.Core.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Databunker.Core.AspNetCore;

/// <summary>Options of the privacy portal (<see cref="DatabunkerEndpointRouteBuilderExtensions.MapDatabunkerPrivacyPortal"/>).</summary>
public sealed class PrivacyPortalOptions
{
    /// <summary>
    /// Signs people in with the host's own authentication: maps the signed-in principal to the person's token, or
    /// <see langword="null"/> when it names no person. When <see langword="null"/>, the portal signs people in itself with
    /// a one-time code sent through the host's <see cref="IPortalCodeSender"/>.
    /// </summary>
    public Func<ClaimsPrincipal, Guid?>? ResolvePerson { get; set; }

    /// <summary>How long a sign-in code works.</summary>
    /// <value>10 minutes.</value>
    [TimeSpanRange("00:00:10", "1.00:00:00")]
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many wrong guesses spend a sign-in code.</summary>
    /// <value>5.</value>
    [Range(1, 100)]
    public int MaxCodeAttempts { get; set; } = 5;

    /// <summary>
    /// How many sign-in codes may be asked for, per address, per client and overall, in each window: anyone can ask for a
    /// code to any address, so without a limit a visitor could make the host mail codes to its customers as fast as it
    /// likes, and each request stores a session. A request past a limit answers 429 with <c>Retry-After</c>, creates
    /// nothing and sends nothing. Set a limit to 0 to lift it (with <see cref="SignInRateLimitPolicy"/> in its place, say).
    /// </summary>
    [ValidateObjectMembers]
    public PortalCodeRequestLimits CodeRequestLimits { get; } = new();

    /// <summary>
    /// How many sign-in codes may wait to be sent. Codes are sent outside the request, so that the answer takes as long for
    /// an address with an account as for one without; a code that finds the queue full is dropped and logged.
    /// </summary>
    /// <value>1,000.</value>
    [Range(1, 1_000_000)]
    public int CodeQueueCapacity { get; set; } = 1_000;

    /// <summary>
    /// The name of a rate-limiting policy (registered with <c>AddRateLimiter</c>) for the code sign-in routes, so that
    /// codes cannot be requested or guessed at speed; <see langword="null"/> for none beyond what the host chains on the
    /// whole portal. The host must call <c>app.UseRateLimiter()</c>.
    /// </summary>
    public string? SignInRateLimitPolicy { get; set; }

    /// <summary>
    /// Whether "delete my account" forgets the person at once. When <see langword="false"/> it submits an erasure
    /// request for a DPO to approve (the person is signed in, so their identity is verified).
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool DeleteImmediately { get; set; }

    /// <summary>
    /// The profile fields the person may correct on "Correct my data" (GDPR Art. 16), in the form's order: <c>"name"</c>,
    /// <c>"email"</c>, <c>"phone"</c>, ... (letters, digits, <c>_</c> and <c>-</c>). A field the profile holds as text, or
    /// does not have yet, is in the form; one it holds as a number, a list or an object is not. A field cannot be
    /// emptied. Empty (the default) leaves out the page, and the person asks for corrections with a request. With the
    /// portal's own code sign-in, <c>"email"</c> must also be in <see cref="FieldsCheckedFirst"/>.
    /// </summary>
    public IList<string> CorrectableFields { get; } = [];

    /// <summary>
    /// How many corrections one person may save in an hour. A save tells whether another account has an address or a
    /// number (the person must be told why their change was refused), so the form is not left open to trying many.
    /// </summary>
    /// <value>20.</value>
    [Range(1, 10_000)]
    public int MaxCorrectionsPerHour { get; set; } = 20;

    /// <summary>
    /// Of <see cref="CorrectableFields"/>, those whose change is checked first: saving one submits a rectification request
    /// (under "My requests") that a DPO approves, instead of changing the profile at once.
    /// </summary>
    public ISet<string> FieldsCheckedFirst { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Names the device a portal session is signed in from, kept sealed with the session and shown on "My sessions"; at
    /// most 64 characters (a longer one is cut), <see langword="null"/> for none. When <see langword="null"/> (the default), the browser and
    /// system are read from the User-Agent header by a short list of the major ones (see <c>docs/portal.md</c>).
    /// </summary>
    public Func<HttpContext, string?>? DeviceLabel { get; set; }
}

/// <summary>The default limits of the portal's code requests (<see cref="PrivacyPortalOptions.CodeRequestLimits"/>); a limit of 0 is none.</summary>
public sealed class PortalCodeRequestLimits
{
    /// <summary>How many codes may be asked for one email address (whether or not it has an account) in a window.</summary>
    /// <value>3.</value>
    [Range(0, int.MaxValue)]
    public int PerAddress { get; set; } = 3;

    /// <summary>How many codes one client (its remote IP address, as the host's forwarded-headers set-up reports it) may ask for in a window.</summary>
    /// <value>10.</value>
    [Range(0, int.MaxValue)]
    public int PerClient { get; set; } = 10;

    /// <summary>How many codes may be asked for in all in a window: this caps the anonymous sessions that code requests create.</summary>
    /// <value>1,000.</value>
    [Range(0, int.MaxValue)]
    public int Overall { get; set; } = 1_000;

    /// <summary>The length of a window.</summary>
    /// <value>15 minutes.</value>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Delivers the privacy portal's sign-in code to the person through the host's own channel.</summary>
public interface IPortalCodeSender
{
    /// <summary>
    /// Sends the code. Never log it. Called outside the request that asked for the code, one code at a time, in a service
    /// scope of its own, with the page's language as the current UI culture; an exception is logged (by its type only) and
    /// the person can ask for a new code. <see cref="DatabunkerMailExtensions.AddDatabunkerMail"/> registers one that mails it.
    /// </summary>
    /// <param name="person">The person's token: the host looks up where to send it.</param>
    /// <param name="code">The one-time code (8 digits).</param>
    /// <param name="expiresAt">When it stops working.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task.</returns>
    Task SendCodeAsync(Guid person, string code, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}

/// <summary>
/// Validates <see cref="PrivacyPortalOptions"/> from their attributes, after the portal's <c>configure</c> has run; the
/// body is generated.
/// </summary>
[OptionsValidator]
internal sealed partial class PrivacyPortalOptionsValidator : IValidateOptions<PrivacyPortalOptions>;
