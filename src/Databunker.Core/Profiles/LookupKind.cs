namespace Databunker.Core;

/// <summary>The kinds of <see cref="PersonLookup"/>.</summary>
public enum LookupKind
{
    /// <summary>Not a lookup: the default value, refused everywhere.</summary>
    None = 0,

    /// <summary>By the person's token.</summary>
    Token = 1,

    /// <summary>By the <c>login</c> field (trimmed, Unicode NFC).</summary>
    Login = 2,

    /// <summary>By the <c>email</c> field (trimmed, lower-cased).</summary>
    Email = 3,

    /// <summary>By the <c>phone</c> field (normalised to E.164).</summary>
    Phone = 4,

    /// <summary>By the <c>custom</c> field (trimmed, Unicode NFC).</summary>
    Custom = 5,
}
