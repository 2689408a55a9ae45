using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Identity;

/// <summary>
/// Identity's role store for <see cref="IdentityRole"/>, over the roles an application declares in
/// <see cref="DatabunkerIdentityOptions.Roles"/>. Roles are not personal data and the vault keeps no list of them: a
/// role is declared in configuration, so a declared role exists from the start (seeding code that creates a role unless
/// <c>RoleExistsAsync</c> keeps working), <c>RoleManager.CreateAsync</c> of any other fails with <c>RoleNotDeclared</c>,
/// and a role is neither renamed nor deleted at run time. It makes <c>AddIdentity&lt;DatabunkerUser, IdentityRole&gt;()</c> and
/// <c>AddRoles&lt;IdentityRole&gt;()</c> work; the user store returns a user's roles by their declared names.
/// </summary>
internal sealed class ConfiguredRoleStore(IOptions<DatabunkerIdentityOptions> options, ILookupNormalizer? normalizer = null)
    : IRoleStore<IdentityRole>
{
    public Task<IdentityResult> CreateAsync(IdentityRole role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(role);
        return Task.FromResult(Declared(role.NormalizedName ?? Normalize(role.Name)) is { } declared
            ? Adopt(role, declared)
            : IdentityResult.Failed(new IdentityError
            {
                Code = "RoleNotDeclared",
                Description = "Roles are declared in DatabunkerIdentityOptions.Roles; this one is not.",
            }));
    }

    public Task<IdentityResult> UpdateAsync(IdentityRole role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(role);
        return Task.FromResult(Declared(role.NormalizedName) is { } declared && declared == role.Name
            ? IdentityResult.Success
            : IdentityResult.Failed(new IdentityError { Code = "RolesDeclared", Description = "Roles are declared in DatabunkerIdentityOptions.Roles: change them there." }));
    }

    public Task<IdentityResult> DeleteAsync(IdentityRole role, CancellationToken cancellationToken) =>
        Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "RolesDeclared", Description = "Roles are declared in DatabunkerIdentityOptions.Roles: remove them there." }));

    public Task<string> GetRoleIdAsync(IdentityRole role, CancellationToken cancellationToken) => Task.FromResult(Checked(role).Id);

    public Task<string?> GetRoleNameAsync(IdentityRole role, CancellationToken cancellationToken) => Task.FromResult(Checked(role).Name);

    public Task SetRoleNameAsync(IdentityRole role, string? roleName, CancellationToken cancellationToken)
    {
        Checked(role).Name = roleName;
        return Task.CompletedTask;
    }

    public Task<string?> GetNormalizedRoleNameAsync(IdentityRole role, CancellationToken cancellationToken) => Task.FromResult(Checked(role).NormalizedName);

    public Task SetNormalizedRoleNameAsync(IdentityRole role, string? normalizedName, CancellationToken cancellationToken)
    {
        Checked(role).NormalizedName = normalizedName;
        return Task.CompletedTask;
    }

    public Task<IdentityRole?> FindByIdAsync(string roleId, CancellationToken cancellationToken) => FindByNameAsync(roleId, cancellationToken);

    public Task<IdentityRole?> FindByNameAsync(string normalizedRoleName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(normalizedRoleName);
        return Task.FromResult(Declared(normalizedRoleName) is { } declared ? Role(declared) : null);
    }

    public void Dispose()
    {
    }

    /// <summary>The declared name of a role, by its normalised name, or <see langword="null"/> when none is declared.</summary>
    private string? Declared(string? normalizedName) =>
        normalizedName is null ? null : options.Value.Roles.FirstOrDefault(r => Normalize(r) == normalizedName);

    private IdentityRole Role(string declared)
    {
        var normalized = Normalize(declared)!;
        return new IdentityRole(declared) { Id = normalized, NormalizedName = normalized, ConcurrencyStamp = normalized };
    }

    private IdentityResult Adopt(IdentityRole role, string declared)
    {
        var normalized = Normalize(declared)!;
        role.Id = normalized;
        role.Name = declared;
        role.NormalizedName = normalized;
        role.ConcurrencyStamp = normalized;
        return IdentityResult.Success;
    }

    private string? Normalize(string? name) => name is null ? null : normalizer?.NormalizeName(name) ?? name.ToUpperInvariant();

    private static IdentityRole Checked(IdentityRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return role;
    }
}
