using System.Security.Claims;

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
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many wrong guesses spend a sign-in code.</summary>
    /// <value>5.</value>
    public int MaxCodeAttempts { get; set; } = 5;

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
}

/// <summary>Delivers the privacy portal's sign-in code to the person through the host's own channel.</summary>
public interface IPortalCodeSender
{
    /// <summary>Sends the code. Never log it.</summary>
    /// <param name="person">The person's token: the host looks up where to send it.</param>
    /// <param name="code">The one-time code (8 digits).</param>
    /// <param name="expiresAt">When it stops working.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task.</returns>
    Task SendCodeAsync(Guid person, string code, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
