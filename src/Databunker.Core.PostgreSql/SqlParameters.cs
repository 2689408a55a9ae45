using System.Globalization;
using System.Text.RegularExpressions;

namespace Databunker.Core.PostgreSql;

/// <summary>Joins statements into one: their positional parameters renumbered after those that come before.</summary>
internal static partial class SqlParameters
{
    /// <summary><paramref name="sql"/> with each <c>$n</c> written <c>$(n + offset)</c>.</summary>
    public static string Renumber(string sql, int offset) =>
        offset == 0 ? sql : Placeholder().Replace(sql, m => "$" + (int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) + offset).ToString(CultureInfo.InvariantCulture));

    [GeneratedRegex(@"\$(\d+)")]
    private static partial Regex Placeholder();
}
