using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The PostgreSQL floor of the scheduler pass: the same claims of 500 as the vault, then each claimed person forgotten
/// in one statement (one round trip, one transaction), or with <c>perBatch</c> each claim's persons in one statement:
/// the expirations the claim holds, the persons' profiles, data keys, index rows and tokens deleted, a tombstone and an
/// audit row written per person. Then the same VACUUM as the vault's compaction.
/// </summary>
public sealed partial class PostgreSqlFloor
{
    private const int DueBatch = 500;

    private const string Claim =
        "UPDATE expirations SET claim_id = $1, claimed_until = $2 WHERE token IN (" +
        "SELECT token FROM expirations WHERE state = 1 AND due_at <= $3 AND (claim_id IS NULL OR claimed_until <= $3) " +
        "ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING token;";

    private const string ForgetClaimed = """
        WITH held AS (DELETE FROM expirations WHERE token = ANY($3) AND claim_id = $1 AND state = 1 RETURNING token),
        people AS (DELETE FROM users WHERE token IN (SELECT token FROM held) RETURNING token),
        keys AS (DELETE FROM data_keys WHERE owner IN (SELECT token FROM people)),
        indexes AS (DELETE FROM user_indexes WHERE token IN (SELECT token FROM people)),
        owned AS (DELETE FROM tokens WHERE owner IN (SELECT token FROM people)),
        tombstones AS (INSERT INTO tombstones (token, forgotten_at) SELECT token, $2 FROM people
            ON CONFLICT (token) DO UPDATE SET forgotten_at = excluded.forgotten_at)
        INSERT INTO audit_events (at, actor, operation, subject, outcome, details)
        SELECT $2, 'bench', 'person.forget', token, 'success', NULL FROM people;
        """;

    /// <summary>Persons stored with an expiration due at <paramref name="dueAt"/>, all in one batch.</summary>
    public void CreateDue(IReadOnlyList<(JsonElement Profile, string Email)> people, long dueAt)
    {
        using var batch = new NpgsqlBatch(_connection);
        foreach (var (profile, email) in people)
        {
            var id = Guid.NewGuid().ToByteArray();
            AddPerson(batch, id, profile, email);
            Add(batch, "INSERT INTO expirations (token, state, due_at, started_at, updated_at) VALUES ($1, 1, $2, $3, $3)", id, dueAt, Environment.TickCount64);
        }

        batch.ExecuteNonQuery();
    }

    /// <summary>One scheduler pass: claims of 500, each person (or each claim) forgotten in one statement; returns how many persons were forgotten.</summary>
    public int RunDue(long now, bool perBatch = false)
    {
        var claim = RandomNumberGenerator.GetBytes(16);
        var deleted = 0;
        List<byte[]> claimed;
        do
        {
            claimed = [];
            using (var command = new NpgsqlCommand(Claim, _connection))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = claim });
                command.Parameters.Add(new NpgsqlParameter { Value = now + 300_000 });
                command.Parameters.Add(new NpgsqlParameter { Value = now });
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    claimed.Add((byte[])reader[0]);
                }
            }

            foreach (var people in claimed.Chunk(perBatch ? DueBatch : 1))
            {
                using var forget = new NpgsqlCommand(ForgetClaimed, _connection);
                forget.Parameters.Add(new NpgsqlParameter { Value = claim });
                forget.Parameters.Add(new NpgsqlParameter { Value = Environment.TickCount64 });
                forget.Parameters.Add(new NpgsqlParameter { Value = people });
                deleted += forget.ExecuteNonQuery();
            }
        }
        while (claimed.Count == DueBatch);

        if (deleted > 0)
        {
            using var vacuum = new NpgsqlCommand("VACUUM users, data_keys, user_indexes, expirations, tokens;", _connection);
            vacuum.ExecuteNonQuery();
        }

        return deleted;
    }
}
