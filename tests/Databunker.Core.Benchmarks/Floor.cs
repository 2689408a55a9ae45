using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The minimal floor: what a competent engineer would write by hand for the same guarantee, on a schema of its
/// own with only the indexes its operations need (no audit chain, no index on the audit trail, no index from a
/// person to their index entries: forgetting finds them by the hashes it remembers), with Microsoft.Data.Sqlite
/// directly on one open connection, prepared commands, raw immediate transactions, WAL with synchronous=NORMAL
/// and SQLite's own checkpoints, and the same AES-GCM and HMAC calls. One audit row per operation, committed
/// before the operation returns (reads too). The ratio says what our layers and our extra features cost.
/// </summary>
public sealed partial class Floor : IFloor
{
    private readonly SqliteConnection _connection;
    private readonly byte[] _kek = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _indexKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _tokenKey = RandomNumberGenerator.GetBytes(32);
    private readonly SqliteCommand _insertUser, _insertKey, _insertIndex, _insertAudit, _selectByIndex, _selectByToken, _updateUser, _deleteIndexes, _insertToken, _selectToken;
    private readonly Dictionary<Guid, byte[]> _indexOf = [];
    private readonly SqliteCommand _deleteUser, _deleteKey, _deleteExpiration, _deleteTokens, _insertTombstone, _selectDeterministic, _insertDeterministic, _insertExpiration, _claim, _checkClaim;

    public Floor(string path)
    {
        _connection = new SqliteConnection($"Data Source={path};Pooling=False");
        _connection.Open();
        Run("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA secure_delete=ON; PRAGMA synchronous=NORMAL;");
        Run("""
            CREATE TABLE IF NOT EXISTS users (token BLOB PRIMARY KEY, profile BLOB NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS data_keys (owner BLOB PRIMARY KEY, key_version TEXT NOT NULL, wrapped BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS user_indexes (hash BLOB PRIMARY KEY, kind INTEGER NOT NULL, token BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS tombstones (token BLOB PRIMARY KEY, forgotten_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS audit_events (at INTEGER NOT NULL, actor TEXT NOT NULL, operation TEXT NOT NULL, subject BLOB, outcome TEXT NOT NULL, details BLOB);
            CREATE TABLE IF NOT EXISTS tokens (token_hash BLOB PRIMARY KEY, value BLOB NOT NULL, deterministic BLOB, sealed_token BLOB, owner BLOB, expires_at INTEGER, created_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE UNIQUE INDEX IF NOT EXISTS ux_tokens_deterministic ON tokens (deterministic) WHERE deterministic IS NOT NULL;
            CREATE INDEX IF NOT EXISTS ix_tokens_owner ON tokens (owner) WHERE owner IS NOT NULL;
            CREATE TABLE IF NOT EXISTS expirations (token BLOB PRIMARY KEY, state INTEGER NOT NULL, due_at INTEGER NOT NULL, token_hash BLOB, claim_id BLOB, claimed_until INTEGER, started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS ix_expirations_due ON expirations (state, due_at);
            """);
        _insertUser = Prepare("INSERT INTO users (token, profile, version, created_at, updated_at) VALUES ($p0, $p1, 1, $p2, $p2)", 3);
        _insertKey = Prepare("INSERT INTO data_keys (owner, key_version, wrapped) VALUES ($p0, '1', $p1)", 2);
        _insertIndex = Prepare("INSERT INTO user_indexes (hash, kind, token) VALUES ($p0, 3, $p1)", 2);
        _insertAudit = Prepare("INSERT INTO audit_events (at, actor, operation, subject, outcome, details) VALUES ($p0, 'bench', $p1, $p2, 'success', $p3)", 4);
        _selectByIndex = Prepare("SELECT u.token, u.profile, u.version, k.wrapped FROM user_indexes i JOIN users u ON u.token = i.token JOIN data_keys k ON k.owner = u.token WHERE i.hash = $p0", 1);
        _selectByToken = Prepare("SELECT u.token, u.profile, u.version, k.wrapped FROM users u JOIN data_keys k ON k.owner = u.token WHERE u.token = $p0", 1);
        _updateUser = Prepare("UPDATE users SET profile = $p1, version = version + 1, updated_at = $p2 WHERE token = $p0 AND version = $p3", 4);
        _deleteIndexes = Prepare("DELETE FROM user_indexes WHERE hash = $p0", 1);
        _insertToken = Prepare("INSERT INTO tokens (token_hash, value, created_at) VALUES ($p0, $p1, $p2)", 3);
        _selectToken = Prepare("SELECT value FROM tokens WHERE token_hash = $p0 AND (expires_at IS NULL OR expires_at > $p1)", 2);
        _deleteUser = Prepare("DELETE FROM users WHERE token = $p0", 1);
        _deleteKey = Prepare("DELETE FROM data_keys WHERE owner = $p0", 1);
        _deleteExpiration = Prepare("DELETE FROM expirations WHERE token = $p0", 1);
        _deleteTokens = Prepare("DELETE FROM tokens WHERE owner = $p0", 1);
        _insertTombstone = Prepare("INSERT OR REPLACE INTO tombstones (token, forgotten_at) VALUES ($p0, $p1)", 2);
        _selectDeterministic = Prepare("SELECT sealed_token FROM tokens WHERE deterministic = $p0", 1);
        _insertDeterministic = Prepare("INSERT INTO tokens (token_hash, value, deterministic, sealed_token, created_at) VALUES ($p0, $p1, $p2, $p3, $p4)", 5);
        _insertExpiration = Prepare("INSERT OR REPLACE INTO expirations (token, state, due_at, token_hash, started_at, updated_at) VALUES ($p0, 1, $p1, $p2, 0, 0)", 3);
        _claim = Prepare("UPDATE expirations SET claim_id = $p0, claimed_until = $p1 WHERE token IN (SELECT token FROM expirations WHERE state = 1 AND due_at <= $p2 AND (claim_id IS NULL OR claimed_until <= $p2) ORDER BY due_at LIMIT 500) RETURNING token", 3);
        _checkClaim = Prepare("SELECT COUNT(*) FROM expirations WHERE token = $p0 AND state = 1 AND claim_id = $p1", 2);
    }

    /// <summary>Many persons in one transaction.</summary>
    public void CreateMany(IReadOnlyList<(JsonElement Profile, string Email)> people)
    {
        var now = Environment.TickCount64;
        using var transaction = _connection.BeginTransaction(deferred: false);
        foreach (var (profile, email) in people)
        {
            var token = Guid.NewGuid();
            var id = token.ToByteArray();
            var dek = RandomNumberGenerator.GetBytes(32);
            var hash = Hash(_indexKey, "email", email.Trim().ToLowerInvariant());
            _indexOf[token] = hash;
            Execute(_insertUser, transaction, id, Seal(dek, JsonSerializer.SerializeToUtf8Bytes(profile), id), now);
            Execute(_insertKey, transaction, id, Seal(_kek, dek, id));
            Execute(_insertIndex, transaction, hash, id);
            Execute(_insertAudit, transaction, now, "person.create", id, Seal(dek, "{\"indexes\":[\"email\"]}"u8.ToArray(), id));
        }

        transaction.Commit();
    }

    /// <summary>Forgets a person: every row of theirs, a tombstone and an audit event in one transaction.</summary>
    public bool Forget(Guid token)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        var forgotten = ForgetIn(transaction, token.ToByteArray());
        transaction.Commit();
        return forgotten;
    }

    public void StartExpiration(Guid token, long dueAt) =>
        Execute(_insertExpiration, null, token.ToByteArray(), dueAt, RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// One scheduler pass, as the vault does it: atomic claims of 500, each person forgotten in a transaction of their
    /// own (or, with <paramref name="perBatch"/>, each claim's persons in one transaction), then the WAL truncated.
    /// </summary>
    public int RunDue(long now, bool perBatch = false)
    {
        var claim = RandomNumberGenerator.GetBytes(16);
        var deleted = 0;
        while (true)
        {
            var batch = new List<byte[]>(500);
            using (var transaction = _connection.BeginTransaction(deferred: false))
            {
                _claim.Transaction = transaction;
                _claim.Parameters[0].Value = claim;
                _claim.Parameters[1].Value = now + 300_000;
                _claim.Parameters[2].Value = now;
                using (var reader = _claim.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        batch.Add((byte[])reader[0]);
                    }
                }

                transaction.Commit();
            }

            var shared = perBatch ? _connection.BeginTransaction(deferred: false) : null;
            foreach (var id in batch)
            {
                var transaction = shared ?? _connection.BeginTransaction(deferred: false);
                _checkClaim.Transaction = transaction;
                _checkClaim.Parameters[0].Value = id;
                _checkClaim.Parameters[1].Value = claim;
                if ((long)_checkClaim.ExecuteScalar()! > 0 && ForgetIn(transaction, id))
                {
                    deleted++;
                }

                if (shared is null)
                {
                    transaction.Commit();
                    transaction.Dispose();
                }
            }

            shared?.Commit();
            shared?.Dispose();

            if (batch.Count < 500)
            {
                if (deleted > 0)
                {
                    Run("PRAGMA wal_checkpoint(TRUNCATE);");
                }

                return deleted;
            }
        }
    }

    /// <summary>A deterministic token: found again by keyed hash of the value, else made, sealed and stored.</summary>
    public string TokenizeDeterministic(string value)
    {
        var deterministic = Hash(_tokenKey, "token-deterministic", value);
        _selectDeterministic.Transaction = null;
        using var transaction = _connection.BeginTransaction(deferred: false);
        _selectDeterministic.Transaction = transaction;
        _selectDeterministic.Parameters[0].Value = deterministic;
        if (_selectDeterministic.ExecuteScalar() is byte[] existing)
        {
            transaction.Commit();
            return Encoding.UTF8.GetString(Open(_tokenKey, existing, deterministic));
        }

        Span<byte> random = stackalloc byte[18];
        RandomNumberGenerator.Fill(random);
        var token = Base64Url.EncodeToString(random);
        var hash = Hash(_tokenKey, "token", token);
        var now = Environment.TickCount64;
        Execute(_insertDeterministic, transaction, hash, Seal(_tokenKey, Encoding.UTF8.GetBytes(value), hash), deterministic, Seal(_tokenKey, Encoding.UTF8.GetBytes(token), deterministic), now);
        Execute(_insertAudit, transaction, now, "token.tokenize", null, null);
        transaction.Commit();
        return token;
    }

    /// <summary>A format-preserving token for a card number: random digits, separators kept, Luhn-valid.</summary>
    public string TokenizeCard(string value)
    {
        var token = CardToken(value);
        var hash = Hash(_tokenKey, "token", token);
        var now = Environment.TickCount64;
        using var transaction = _connection.BeginTransaction(deferred: false);
        Execute(_insertToken, transaction, hash, Seal(_tokenKey, Encoding.UTF8.GetBytes(value), hash), now);
        Execute(_insertAudit, transaction, now, "token.tokenize", null, null);
        transaction.Commit();
        return token;
    }

    /// <summary>A random, Luhn-valid card number in the value's layout: separators kept.</summary>
    internal static string CardToken(string value)
    {
        var chars = value.ToCharArray();
        var sum = 0;
        var position = 0;
        var check = -1;
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(chars[i]))
            {
                continue;
            }

            if (check < 0)
            {
                check = i;
            }
            else
            {
                var d = RandomNumberGenerator.GetInt32(10);
                chars[i] = (char)('0' + d);
                sum += position % 2 == 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
            }

            position++;
        }

        chars[check] = (char)('0' + (10 - (sum % 10)) % 10);
        return new string(chars);
    }

    void IFloor.Forget(Guid token) => Forget(token);

    private bool ForgetIn(SqliteTransaction transaction, byte[] id)
    {
        if (Execute(_deleteUser, transaction, id) == 0)
        {
            return false;
        }

        Execute(_deleteKey, transaction, id);
        if (_indexOf.Remove(new Guid(id), out var hash))
        {
            Execute(_deleteIndexes, transaction, hash);
        }

        Execute(_deleteExpiration, transaction, id);
        Execute(_deleteTokens, transaction, id);
        Execute(_insertTombstone, transaction, id, Environment.TickCount64);
        Execute(_insertAudit, transaction, Environment.TickCount64, "person.forget", id, null);
        return true;
    }

    public Guid Create(JsonElement profile, string email)
    {
        var token = Guid.NewGuid();
        var id = token.ToByteArray();
        var dek = RandomNumberGenerator.GetBytes(32);
        var wrapped = Seal(_kek, dek, id);
        var sealedProfile = Seal(dek, JsonSerializer.SerializeToUtf8Bytes(profile), id);
        var details = Seal(dek, "{\"indexes\":[\"email\"]}"u8.ToArray(), id);
        var hash = Hash(_indexKey, "email", email.Trim().ToLowerInvariant());
        _indexOf[token] = hash;
        var now = Environment.TickCount64;
        using var transaction = _connection.BeginTransaction(deferred: false);
        Execute(_insertUser, transaction, id, sealedProfile, now);
        Execute(_insertKey, transaction, id, wrapped);
        Execute(_insertIndex, transaction, hash, id);
        Execute(_insertAudit, transaction, now, "person.create", id, details);
        transaction.Commit();
        return token;
    }

    public JsonElement? GetByEmail(string email) => Read(_selectByIndex, Hash(_indexKey, "email", email.Trim().ToLowerInvariant()));

    public JsonElement? GetByToken(Guid token) => Read(_selectByToken, token.ToByteArray());

    public bool Update(Guid token, JsonElement patch)
    {
        var id = token.ToByteArray();
        _selectByToken.Parameters[0].Value = id;
        _selectByToken.Transaction = null;
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

        var sealedProfile = Seal(dek, JsonSerializer.SerializeToUtf8Bytes(node), id);
        var hash = Hash(_indexKey, "email", node["email"]!.GetValue<string>().Trim().ToLowerInvariant());
        var details = Seal(dek, "{\"changed\":[\"n\"]}"u8.ToArray(), id);
        var now = Environment.TickCount64;
        using var transaction = _connection.BeginTransaction(deferred: false);
        Execute(_updateUser, transaction, id, sealedProfile, now, version);
        if (_indexOf.TryGetValue(token, out var previous))
        {
            Execute(_deleteIndexes, transaction, previous);
        }

        Execute(_insertIndex, transaction, hash, id);
        _indexOf[token] = hash;
        Execute(_insertAudit, transaction, now, "person.update", id, details);
        transaction.Commit();
        return true;
    }

    public string Tokenize(string value)
    {
        Span<byte> random = stackalloc byte[18];
        RandomNumberGenerator.Fill(random);
        var token = Base64Url.EncodeToString(random);
        var hash = Hash(_tokenKey, "token", token);
        var sealedValue = Seal(_tokenKey, Encoding.UTF8.GetBytes(value), hash);
        var now = Environment.TickCount64;
        using var transaction = _connection.BeginTransaction(deferred: false);
        Execute(_insertToken, transaction, hash, sealedValue, now);
        Execute(_insertAudit, transaction, now, "token.tokenize", null, null);
        transaction.Commit();
        return token;
    }

    public string? Detokenize(string token)
    {
        var hash = Hash(_tokenKey, "token", token);
        _selectToken.Transaction = null;
        _selectToken.Parameters[0].Value = hash;
        _selectToken.Parameters[1].Value = Environment.TickCount64;
        var value = _selectToken.ExecuteScalar() as byte[];
        Execute(_insertAudit, null, Environment.TickCount64, "token.detokenize", null, null);
        return value is null ? null : Encoding.UTF8.GetString(Open(_tokenKey, value, hash));
    }

    public void Dispose() => _connection.Dispose();

    private JsonElement? Read(SqliteCommand select, byte[] key)
    {
        select.Transaction = null;
        select.Parameters[0].Value = key;
        byte[] id, profile, wrapped;
        using (var reader = select.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            id = (byte[])reader[0];
            profile = (byte[])reader[1];
            wrapped = (byte[])reader[3];
        }

        var dek = Open(_kek, wrapped, id);
        var result = JsonSerializer.Deserialize<JsonElement>(Open(dek, profile, id));
        Execute(_insertAudit, null, Environment.TickCount64, "person.get", id, null);
        return result;
    }

    internal static byte[] Hash(byte[] key, string name, string value) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(name + "\0" + value));

    internal static byte[] Seal(byte[] key, byte[] plaintext, byte[] associatedData)
    {
        var output = new byte[5 + 12 + plaintext.Length + 16];
        output[0] = 1;
        RandomNumberGenerator.Fill(output.AsSpan(5, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(output.AsSpan(5, 12), plaintext, output.AsSpan(17, plaintext.Length), output.AsSpan(17 + plaintext.Length), associatedData);
        return output;
    }

    internal static byte[] Open(byte[] key, byte[] envelope, byte[] associatedData)
    {
        var plaintext = new byte[envelope.Length - 33];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(envelope.AsSpan(5, 12), envelope.AsSpan(17, plaintext.Length), envelope.AsSpan(17 + plaintext.Length), plaintext, associatedData);
        return plaintext;
    }

    private SqliteCommand Prepare(string sql, int parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i });
        }

        return command;
    }

    private static int Execute(SqliteCommand command, SqliteTransaction? transaction, params object?[] values)
    {
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command.ExecuteNonQuery();
    }

    private void Run(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
