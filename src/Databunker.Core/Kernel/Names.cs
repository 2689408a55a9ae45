namespace Databunker.Core.Kernel;

/// <summary>
/// The form of the names a host gives things (an application, an activity, a notice): 1 to 64 characters of lower-case
/// ASCII letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, starting with a letter or digit. Such a name is not personal
/// data, and may appear in audit details and exception messages.
/// </summary>
internal static class Names
{
    public static bool IsWellFormed(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || !char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
