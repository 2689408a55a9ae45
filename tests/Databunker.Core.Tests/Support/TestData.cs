using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Tests.Support;

public static class TestData
{
    public static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    public static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    public static bool SameJson(JsonElement a, JsonElement b) =>
        JsonNode.DeepEquals(JsonNode.Parse(a.GetRawText()), JsonNode.Parse(b.GetRawText()));

    public static JsonElement Person(int i) => Json(new
    {
        login = $"login-{i:D5}-zq",
        email = $"person{i:D5}@mail-{i % 7}.example",
        phone = $"+44 20 7946 {i:D4}",
        custom = $"EMP-{i:D5}-X",
        name = $"Given{i:D5} Family",
        address = new { street = $"{i} Quayside Lane", city = "Tynemouth" },
    });

    /// <summary>Every plaintext value of <see cref="Person"/> that must never reach disk or a log.</summary>
    public static IEnumerable<string> SecretsOf(int i) =>
    [
        $"login-{i:D5}-zq",
        $"person{i:D5}@mail-{i % 7}.example",
        $"+44 20 7946 {i:D4}",
        $"+44207946{i:D4}",
        $"EMP-{i:D5}-X",
        $"Given{i:D5} Family",
        $"{i} Quayside Lane",
        NationalId(i),
    ];

    /// <summary>A value the leakage scenario tokenizes for person <paramref name="i"/>.</summary>
    public static string NationalId(int i) => $"NID-{i:D6}-Q";

    /// <summary>Runs SQL against the vault's database file directly, as an attacker with a copy would.</summary>
    public static void Sql(string databasePath, string sql, object? parameters = null)
    {
        using var connection = OpenRaw(databasePath);
        using var command = RawCommand(connection, sql, parameters);
        command.ExecuteNonQuery();
    }

    /// <summary>Reads one value from the vault's database file directly.</summary>
    public static T? Scalar<T>(string databasePath, string sql, object? parameters = null)
    {
        using var connection = OpenRaw(databasePath);
        using var command = RawCommand(connection, sql, parameters);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)value;
    }

    private static SqliteConnection OpenRaw(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private static SqliteCommand RawCommand(SqliteConnection connection, string sql, object? parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var property in parameters?.GetType().GetProperties() ?? [])
        {
            command.Parameters.AddWithValue("@" + property.Name, property.GetValue(parameters) ?? DBNull.Value);
        }

        return command;
    }
}
