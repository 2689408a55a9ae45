using Databunker.Core.Expiration;
using Databunker.Core.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Databunker.Core.AspNetCore;

/// <summary>Registers the vault's mails.</summary>
public static class DatabunkerMailExtensions
{
    /// <summary>
    /// Sends the vault's mails through the host's <see cref="IDatabunkerMailSender"/> (which the host registers): the
    /// expiration mail when an expiration starts, the portal's sign-in code, a request's verification code, request receipts,
    /// extension notices, and overdue notices to the DPO. Each is written in the person's language from the package's
    /// templates and words, or the host's (<see cref="DatabunkerMailOptions.Templates"/>, <see cref="DatabunkerPageOptions.Text"/>).
    /// A hook the host registered itself before this call (an <see cref="IPortalCodeSender"/>, an
    /// <see cref="IPrivacyRequestCodeSender"/> or an <see cref="IExpirationLinkSender"/>) stays in place of the mail.
    /// </summary>
    /// <param name="services">The host's services, with <c>AddDatabunker()</c>.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddDatabunkerMail(this IServiceCollection services, Action<DatabunkerMailOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DatabunkerPageOptions>();
        services.AddOptions<DatabunkerMailOptions>()
            .Configure(o => configure?.Invoke(o))
            .Validate(o => !string.IsNullOrWhiteSpace(o.AddressField), "DatabunkerMailOptions.AddressField must name the profile field that holds the person's address.")
            .Validate(o => o.PortalAddress is null || (o.PortalAddress.IsAbsoluteUri && (o.PortalAddress.Scheme == Uri.UriSchemeHttps || o.PortalAddress.Scheme == Uri.UriSchemeHttp)),
                "DatabunkerMailOptions.PortalAddress must be an absolute http or https address.")
            .ValidateOnStart();
        services.TryAddSingleton<MailComposer>();
        services.TryAddSingleton<IExpirationLinkSender, MailExpirationLinkSender>();
        services.TryAddSingleton<IPortalCodeSender, MailPortalCodeSender>();
        services.TryAddSingleton<IPrivacyRequestCodeSender, MailRequestCodeSender>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPrivacyRequestNotifier, MailRequestNotifier>());
        return services;
    }
}
