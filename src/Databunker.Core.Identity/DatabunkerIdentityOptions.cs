using Microsoft.AspNetCore.Identity;

namespace Databunker.Core.Identity;

/// <summary>How the Identity store keeps its users in the vault (<see cref="Microsoft.Extensions.DependencyInjection.DatabunkerIdentityBuilderExtensions.AddDatabunkerStores"/>).</summary>
public sealed class DatabunkerIdentityOptions
{
    /// <summary>
    /// The app-data application that holds each user's Identity document (password hash, stamps, lockout, two-factor
    /// secrets, logins, claims, roles, tokens). Registered with the vault by <c>AddDatabunkerStores</c> unless the host
    /// registered it already (with a size limit of its own; never a retention, which is refused at start-up).
    /// </summary>
    /// <value><c>identity</c>.</value>
    public string AppName { get; set; } = "identity";

    /// <summary>
    /// Whether a user's external login is kept in the profile's <c>custom</c> index, so that
    /// <c>UserManager.FindByLoginAsync</c> finds the user by it. The vault has one custom index per person, so a user
    /// has at most one external login; turn this off when the application uses the custom index itself (a find by
    /// login then finds nobody, and adding a login is refused).
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool IndexExternalLogin { get; set; } = true;

    /// <summary>
    /// The purpose the store reads users for, or <see langword="null"/> to read without one. Needed when the privacy
    /// catalogue requires a purpose for every read (<c>Privacy.RequirePurpose</c>); the purpose must declare the profile
    /// members <c>/login</c>, <c>/userName</c>, <c>/email</c>, <c>/phone</c>, <c>/name</c> and <c>/custom</c> and the
    /// app-data application (<see cref="AppName"/>).
    /// </summary>
    public string? Purpose { get; set; }

    /// <summary>
    /// Whether a person the vault holds without an Identity document (made through <see cref="IPersonalDataVault"/> or by
    /// an import that did not map Identity's columns) is a user: found by user name, email, phone or login, and given a
    /// security stamp and lockout by the first read, which writes their document (and its audit event). Off, such a
    /// person is nobody to Identity, whose sign-in, password reset and confirmation mails never reach them; their user
    /// name, email and phone number stay taken in the vault.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool AdoptPersons { get; set; }

    /// <summary>
    /// The roles the application has, by name (<c>Admin</c>, <c>Editor</c>), when it uses <see cref="IdentityRole"/>
    /// (<c>AddIdentity&lt;DatabunkerUser, IdentityRole&gt;()</c> or <c>AddRoles&lt;IdentityRole&gt;()</c>): roles are not
    /// personal data, and the vault keeps no list of them. <c>RoleManager</c> finds these and creates no other, and a
    /// user's roles come back by these names (role claims included), not as Identity normalised them.
    /// </summary>
    public IList<string> Roles { get; } = [];
}
