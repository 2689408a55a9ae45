using Databunker.Core.Expiration;
using Databunker.Core.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        services.AddOptions<DatabunkerMailOptions>().Configure(o => configure?.Invoke(o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabunkerMailOptions>, DatabunkerMailOptionsValidator>());
        services.TryAddSingleton<MailComposer>();
        services.TryAddSingleton<IExpirationLinkSender, MailExpirationLinkSender>();
        services.TryAddSingleton<IPortalCodeSender, MailPortalCodeSender>();
        services.TryAddSingleton<IPrivacyRequestCodeSender, MailRequestCodeSender>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPrivacyRequestNotifier, MailRequestNotifier>());
        return services;
    }
}

/// <summary>
/// Checks, as the host starts, what would otherwise fail one mail at a time: the options, a registered
/// <see cref="IDatabunkerMailSender"/>, and the brand and languages the mails share with the pages.
/// </summary>
internal sealed class DatabunkerMailOptionsValidator(IServiceProvider services) : IValidateOptions<DatabunkerMailOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabunkerMailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AddressField))
        {
            failures.Add("DatabunkerMailOptions.AddressField must name the profile field that holds the person's address.");
        }

        if (options.PortalAddress is { } portal && (!portal.IsAbsoluteUri || (portal.Scheme != Uri.UriSchemeHttps && portal.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add("DatabunkerMailOptions.PortalAddress must be an absolute http or https address.");
        }

        if (services.GetService<IServiceProviderIsService>() is { } registered && !registered.IsService(typeof(IDatabunkerMailSender)))
        {
            failures.Add("AddDatabunkerMail() writes the vault's mails and the host delivers them: register an IDatabunkerMailSender (services.AddSingleton<IDatabunkerMailSender, MyMailer>()).");
        }

        if (PageRenderer.Problem(services.GetRequiredService<IOptions<DatabunkerPageOptions>>().Value) is { } pages)
        {
            failures.Add(pages);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
