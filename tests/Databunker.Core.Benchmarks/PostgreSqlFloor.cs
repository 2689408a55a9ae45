using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using static Databunker.Core.Benchmarks.Floor;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The PostgreSQL floor: the vault's rows written and read with Npgsql by hand on one open connection,
/// with server-prepared statements, every operation sent as one batch with its audit row (one round trip, in the
/// batch's implicit transaction; a read's row names the person the server found), and the same AES-GCM and HMAC
/// calls as the vault. Its audit rows are numbered on a stripe of the floor's own, without a link or a head: the
/// floor keeps no chain.
/// </summary>
public sealed partial class PostgreSqlFloor : IFloor
{
    private const string InsertAudit = "INSERT INTO audit_events (at, actor, operation, subject, outcome, details, stripe, seq) VALUES ($1, 'bench', $2, $3, 'success', $4, $5, $6)";
    private readonly NpgsqlConnection _connection;
    private readonly byte[] _kek = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _indexKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _tokenKey = RandomNumberGenerator.GetBytes(32);
    private readonly NpgsqlCommand _selectByToken;
    private readonly int _stripe = Random.Shared.Next(1_000, int.MaxValue);
    private long _sequence;

    public PostgreSqlFloor(string connectionString)
    {
        _connection = new NpgsqlConnection(connectionString);
        _connection.Open();
        _selectByToken = Prepare("SELECT u.token, u.profile, u.version, k.wrapped FROM users u JOIN data_keys k ON k.owner = u.token WHERE u.token = $1", 1);
    }

    public Guid Create(JsonElement profile, string email)
    {
        var token = Guid.NewGuid();
        using var batch = new NpgsqlBatch(_connection);
        AddPerson(batch, token.ToByteArray(), profile, email);
        batch.ExecuteNonQuery();
        return token;
    }

    public void CreateMany(IReadOnlyList<(JsonElement Profile, string Email)> people)
    {
        using var batch = new NpgsqlBatch(_connection);
        foreach (var (profile, email) in people)
        {
            AddPerson(batch, Guid.NewGuid().ToByteArray(), profile, email);
        }

        batch.ExecuteNonQuery();
    }

    public JsonElement? GetByEmail(string email) => GetByEmailAsync(email).GetAwaiter().GetResult();

    public JsonElement? GetByToken(Guid token) => GetByTokenAsync(token).GetAwaiter().GetResult();

    /// <summary>The person and the read's audit row, naming whom the server found, in one batch.</summary>
    public Task<JsonElement?> GetByEmailAsync(string email)
    {
        var hash = Hash(_indexKey, "email", email.Trim().ToLowerInvariant());
        var batch = new NpgsqlBatch(_connection);
        Add(batch, "SELECT u.token, u.profile, u.version, k.wrapped FROM user_indexes i JOIN users u ON u.token = i.token JOIN data_keys k ON k.owner = u.token WHERE i.hash = $1", hash);
        Add(batch, "INSERT INTO audit_events (at, actor, operation, subject, outcome, details, stripe, seq) SELECT $1, 'bench', 'person.get', i.token, 'success', NULL, $2, $3 FROM user_indexes i WHERE i.hash = $4",
            Environment.TickCount64, _stripe, ++_sequence, hash);
        return ReadAsync(batch);
    }

    public Task<JsonElement?> GetByTokenAsync(Guid token)
    {
        var id = token.ToByteArray();
        var batch = new NpgsqlBatch(_connection);
        Add(batch, "SELECT u.token, u.profile, u.version, k.wrapped FROM users u JOIN data_keys k ON k.owner = u.token WHERE u.token = $1", id);
        AddAudit(batch, Environment.TickCount64, "person.get", id, null);
        return ReadAsync(batch);
    }

    public bool Update(Guid token, JsonElement patch)
    {
        var id = token.ToByteArray();
        _selectByToken.Parameters[0].Value = id;
        byte[] profile, wrapped;
        long version;
        using (var reader = _selectByToken.ExecuteReader())
        {
            if (!reader.Read())
            {
                return false;
            }

            profile = (byte[])reader[1];
            version = reader.GetInt64(2);
            wrapped = (byte[])reader[3];
        }

        var dek = Open(_kek, wrapped, id);
        var node = JsonNode.Parse(Open(dek, profile, id))!.AsObject();
        foreach (var member in patch.EnumerateObject())
        {
            node[member.Name] = JsonNode.Parse(member.Value.GetRawText());
        }

        var now = Environment.TickCount64;
        using var batch = new NpgsqlBatch(_connection);
        Add(batch, "UPDATE users SET profile = $1, version = version + 1, updated_at = $2 WHERE token = $3 AND version = $4", Seal(dek, JsonSerializer.SerializeToUtf8Bytes(node), id), now, id, version);
        Add(batch, "DELETE FROM user_indexes WHERE token = $1", id);
        Add(batch, "INSERT INTO user_indexes (hash, kind, token) VALUES ($1, 3, $2)", Hash(_indexKey, "email", node["email"]!.GetValue<string>().Trim().ToLowerInvariant()), id);
        AddAudit(batch, now, "person.update", id, Seal(dek, "{\"changed\":[\"n\"]}"u8.ToArray(), id));
        batch.ExecuteNonQuery();
        return true;
    }

    /// <summary>Every row of the person's, a tombstone and an audit event, in one batch.</summary>
    public void Forget(Guid token) => ForgetAsync(token).GetAwaiter().GetResult();

    public async Task ForgetAsync(Guid token)
    {
        var id = token.ToByteArray();
        var now = Environment.TickCount64;
        using var batch = new NpgsqlBatch(_connection);
        Add(batch, "DELETE FROM users WHERE token = $1", id);
        Add(batch, "DELETE FROM data_keys WHERE owner = $1", id);
        Add(batch, "DELETE FROM user_indexes WHERE token = $1", id);
        Add(batch, "DELETE FROM expirations WHERE token = $1", id);
        Add(batch, "DELETE FROM tokens WHERE owner = $1", id);
        Add(batch, "INSERT INTO tombstones (token, forgotten_at) VALUES ($1, $2) ON CONFLICT (token) DO UPDATE SET forgotten_at = excluded.forgotten_at", id, now);
        AddAudit(batch, now, "person.forget", id, null);
        await batch.ExecuteNonQueryAsync();
    }

    public string Tokenize(string value)
    {
        Span<byte> random = stackalloc byte[18];
        RandomNumberGenerator.Fill(random);
        var token = Base64Url.EncodeToString(random);
        return Store(token, value);
    }

    /// <summary>A deterministic token: found again by keyed hash of the value, else made, sealed and stored.</summary>
    public string TokenizeDeterministic(string value)
    {
        var deterministic = Hash(_tokenKey, "token-deterministic", value);
        using (var select = new NpgsqlCommand("SELECT sealed_token FROM tokens WHERE deterministic = $1", _connection))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = deterministic });
            if (select.ExecuteScalar() is byte[] existing)
            {
                return Encoding.UTF8.GetString(Open(_tokenKey, existing, deterministic));
            }
        }

        Span<byte> random = stackalloc byte[18];
        RandomNumberGenerator.Fill(random);
        var token = Base64Url.EncodeToString(random);
        var hash = Hash(_tokenKey, "token", token);
        var now = Environment.TickCount64;
        using var batch = new NpgsqlBatch(_connection);
        Add(batch, "INSERT INTO tokens (token_hash, value, deterministic, sealed_token, created_at) VALUES ($1, $2, $3, $4, $5)",
            hash, Seal(_tokenKey, Encoding.UTF8.GetBytes(value), hash), deterministic, Seal(_tokenKey, Encoding.UTF8.GetBytes(token), deterministic), now);
        AddAudit(batch, now, "token.tokenize", null, null);
        batch.ExecuteNonQuery();
        return token;
    }

    /// <summary>A format-preserving card token, stored like any token.</summary>
    public string TokenizeCard(string value)
    {
        var token = Floor.CardToken(value);
        return Store(token, value);
    }

    public Task<string> TokenizeAsync(string value)
    {
        Span<byte> random = stackalloc byte[18];
        RandomNumberGenerator.Fill(random);
        return StoreAsync(Base64Url.EncodeToString(random), value);
    }

    /// <summary>A random or card token's row and its audit event, as one batch.</summary>
    private string Store(string token, string value) => StoreAsync(token, value).GetAwaiter().GetResult();

    private async Task<string> StoreAsync(string token, string value)
    {
        var hash = Hash(_tokenKey, "token", token);
        var now = Environment.TickCount64;
        await using var batch = new NpgsqlBatch(_connection);
        Add(batch, "INSERT INTO tokens (token_hash, value, created_at) VALUES ($1, $2, $3)", hash, Seal(_tokenKey, Encoding.UTF8.GetBytes(value), hash), now);
        AddAudit(batch, now, "token.tokenize", null, null);
        await batch.ExecuteNonQueryAsync();
        return token;
    }

    public string? Detokenize(string token) => DetokenizeAsync(token).GetAwaiter().GetResult();

    /// <summary>The token's value and the read's audit row in one batch.</summary>
    public async Task<string?> DetokenizeAsync(string token)
    {
        var hash = Hash(_tokenKey, "token", token);
        var now = Environment.TickCount64;
        await using var batch = new NpgsqlBatch(_connection);
        Add(batch, "SELECT value FROM tokens WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > $2)", hash, now);
        AddAudit(batch, now, "token.detokenize", null, null);
        byte[]? value;
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            value = await reader.ReadAsync() ? (byte[])reader[0] : null;
        }

        return value is null ? null : Encoding.UTF8.GetString(Open(_tokenKey, value, hash));
    }

    /// <summary>A person and their audit row in one batch.</summary>
    public async Task<Guid> CreateAsync(JsonElement profile, string email)
    {
        var token = Guid.NewGuid();
        await using var batch = new NpgsqlBatch(_connection);
        AddPerson(batch, token.ToByteArray(), profile, email);
        await batch.ExecuteNonQueryAsync();
        return token;
    }

    public void Dispose() => _connection.Dispose();

    private void AddPerson(NpgsqlBatch batch, byte[] id, JsonElement profile, string email)
    {
        var dek = RandomNumberGenerator.GetBytes(32);
        var now = Environment.TickCount64;
        Add(batch, "INSERT INTO users (token, profile, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3)", id, Seal(dek, JsonSerializer.SerializeToUtf8Bytes(profile), id), now);
        Add(batch, "INSERT INTO data_keys (owner, key_version, wrapped) VALUES ($1, '1', $2)", id, Seal(_kek, dek, id));
        Add(batch, "INSERT INTO user_indexes (hash, kind, token) VALUES ($1, 3, $2)", Hash(_indexKey, "email", email.Trim().ToLowerInvariant()), id);
        AddAudit(batch, now, "person.create", id, Seal(dek, "{\"indexes\":[\"email\"]}"u8.ToArray(), id));
    }

    /// <summary>Runs a batch whose first statement reads a person; opens their profile.</summary>
    private async Task<JsonElement?> ReadAsync(NpgsqlBatch batch)
    {
        byte[] id, profile, wrapped;
        await using (batch)
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            if (!await reader.ReadAsync())
            {
                return null;
            }

            id = (byte[])reader[0];
            profile = (byte[])reader[1];
            wrapped = (byte[])reader[3];
        }

        var dek = Open(_kek, wrapped, id);
        return JsonSerializer.Deserialize<JsonElement>(Open(dek, profile, id));
    }

    private void AddAudit(NpgsqlBatch batch, long at, string operation, byte[]? subject, byte[]? details) =>
        Add(batch, InsertAudit, at, operation, subject, details, _stripe, ++_sequence);

    private static void Add(NpgsqlBatch batch, string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value is null ? new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea, Value = DBNull.Value } : new NpgsqlParameter { Value = value });
        }

        batch.BatchCommands.Add(command);
    }

    private NpgsqlCommand Prepare(string sql, int parameters)
    {
        var command = new NpgsqlCommand(sql, _connection);
        for (var i = 0; i < parameters; i++)
        {
            command.Parameters.Add(new NpgsqlParameter());
        }

        return command;
    }
}
