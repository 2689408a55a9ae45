using Microsoft.AspNetCore.Identity;

namespace Databunker.Core.Identity;

/// <summary>
/// An ASP.NET Core Identity user kept in the vault: its <see cref="IdentityUser{TKey}.Id"/> is the person's token, its
/// user name, email, phone number and <see cref="Name"/> are the person's profile (sealed, found by blind index), and
/// everything else Identity keeps (password hash, stamps, lockout, two-factor secrets, logins, claims, roles and
/// tokens) is the person's <c>identity</c> app-data document, sealed beside it.
/// </summary>
/// <remarks>
/// The <see cref="IdentityUser{TKey}.ConcurrencyStamp"/> is the version of that document: an update that was read
/// before another one was written fails with Identity's <c>ConcurrencyFailure</c>, as with Identity's own stores.
/// Further personal fields belong in the person's profile, written through <see cref="IPersonalDataVault"/> with
/// the user's token: the store changes only the profile members it owns.
/// </remarks>
public sealed class DatabunkerUser : IdentityUser<string>
{
    /// <summary>Creates a user that is not stored yet; the vault gives it its <see cref="IdentityUser{TKey}.Id"/> when it is created.</summary>
    public DatabunkerUser()
    {
        ConcurrencyStamp = null;
    }

    /// <summary>Creates a user with a user name, not stored yet.</summary>
    /// <param name="userName">The user name.</param>
    public DatabunkerUser(string userName)
        : this()
    {
        UserName = userName;
    }

    /// <summary>The person's name (the profile's <c>name</c> member), or <see langword="null"/>.</summary>
    [PersonalData]
    public string? Name { get; set; }

    /// <summary>The person's token: the <see cref="IdentityUser{TKey}.Id"/> as a <see cref="Guid"/>, or <see langword="null"/> before the user is created.</summary>
    public Guid? Token => Guid.TryParse(Id, out var token) ? token : null;

    /// <summary>What the vault holds of the user beside the profile; loaded with it, written by an update.</summary>
    internal IdentityDocument Document { get; set; } = new();

    /// <summary>The document as it was read or last written, put back when an update's profile write fails.</summary>
    internal System.Text.Json.JsonElement? StoredDocument { get; set; }

    /// <summary>How many external logins the user had when read or last written: only an update that adds one is checked.</summary>
    internal int StoredLogins { get; set; }

    /// <summary>The profile members as they were read (or created), so that an update writes only what changed.</summary>
    internal StoredProfile Stored { get; set; } = StoredProfile.None;

    /// <inheritdoc />
    public override string ToString() => Id is null ? "DatabunkerUser (not stored)" : $"DatabunkerUser {Id}";
}

/// <summary>The profile members the store owns, as the vault holds them.</summary>
internal sealed record StoredProfile(string? Login, string? UserName, string? Email, string? Phone, string? Name, string? ExternalLogin)
{
    public static StoredProfile None { get; } = new(null, null, null, null, null, null);
}
