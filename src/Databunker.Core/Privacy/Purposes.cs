namespace Databunker.Core.Privacy;

/// <summary>The vault's own purpose, which every catalogue has without declaring it.</summary>
public static class Purposes
{
    /// <summary>
    /// Data protection itself: showing persons their own data, answering their requests, mailing them about their
    /// rights, and the DPO's and operator's work on the vault. A read for it returns the whole profile, and is audited
    /// under this name. The privacy portal, its mails, the DPO console and the tool read for it.
    /// </summary>
    public const string DataProtection = "data-protection";

    /// <summary>Whether a name is the vault's own purpose, which no activity may take.</summary>
    /// <param name="name">An activity's name.</param>
    public static bool IsBuiltIn(string? name) => string.Equals(name, DataProtection, StringComparison.Ordinal);
}
