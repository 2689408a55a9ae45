using Databunker.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts ASP.NET Core Identity's users in the Databunker.Core vault.</summary>
public static class DatabunkerIdentityBuilderExtensions
{
    /// <summary>
    /// Keeps Identity's users in the vault registered with <c>services.AddDatabunker()</c>:
    /// <c>services.AddIdentityCore&lt;DatabunkerUser&gt;().AddDatabunkerStores()</c> (or after <c>AddIdentity</c>,
    /// <c>AddDefaultIdentity</c> or <c>AddIdentityApiEndpoints</c>). Registers the user store and the app-data
    /// application that holds each user's Identity document (<see cref="DatabunkerIdentityOptions.AppName"/>).
    /// </summary>
    /// <param name="builder">Identity's builder; its user type must be <see cref="DatabunkerUser"/>.</param>
    /// <param name="configure">Changes the store's options, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">The builder's user type is not <see cref="DatabunkerUser"/>.</exception>
    /// <remarks>
    /// Identity's <c>ProtectPersonalData</c> option is not needed and not supported: every value is sealed by the vault
    /// already, and Identity's own protection would hide the email from the vault's index. The vault holds one person
    /// per user name, email and phone number, so emails are unique whatever <c>RequireUniqueEmail</c> says.
    /// </remarks>
    public static IdentityBuilder AddDatabunkerStores(this IdentityBuilder builder, Action<DatabunkerIdentityOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.UserType != typeof(DatabunkerUser))
        {
            throw new InvalidOperationException(
                $"The vault's Identity store keeps {nameof(DatabunkerUser)}s: use AddIdentityCore<{nameof(DatabunkerUser)}>() (or AddIdentity, AddDefaultIdentity, AddIdentityApiEndpoints with it), not {builder.UserType.Name}.");
        }

        var services = builder.Services;
        var options = services.AddOptions<DatabunkerIdentityOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => !string.IsNullOrEmpty(o.AppName), "DatabunkerIdentityOptions.AppName must name an app-data application.");
        // After the host's own settings (PostConfigure), so that a host may register the application first with its size.
        services.AddOptions<Databunker.Core.DatabunkerOptions>().PostConfigure<Microsoft.Extensions.Options.IOptions<DatabunkerIdentityOptions>>((vault, identity) =>
        {
            var name = identity.Value.AppName;
            if (!vault.AppData.Apps.TryGetValue(name, out var application))
            {
                vault.AppData.Register(name);
                application = vault.AppData.Apps[name];
            }

            if (application.Retention is not null)
            {
                throw new InvalidOperationException(
                    $"The app-data application '{name}' holds Identity's users: a retention would delete their passwords and second factors. Register it without one.");
            }
        });
        services.TryAddScoped<IUserStore<DatabunkerUser>, DatabunkerUserStore>();
        if (builder.RoleType == typeof(IdentityRole))
        {
            // Roles are not personal data: the ones DatabunkerIdentityOptions.Roles declares.
            services.TryAddScoped<IRoleStore<IdentityRole>, ConfiguredRoleStore>();
        }
        return builder;
    }
}
