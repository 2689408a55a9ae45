using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The minimal floor for app data, sessions and share links: by hand, on a schema of its own with only the
/// indexes the operations need, one open connection, prepared commands, raw immediate transactions, WAL with
/// synchronous=NORMAL, and the same AES-GCM and HMAC calls as the vault (a per-person data key wrapped under a
/// key-encryption key, ids and tokens stored as keyed hashes). Reads of app data and redemptions write one audit
/// row each, committed before they return; session reads are not audited (the vault's default), and a session
/// read writes its last-seen time only once per minute, as the vault does.
/// </summary>
public sealed class FeatureFloor : IDisposable
{
    private const long TouchIntervalMs = 60_000;
    private const long IdleMs = 20 * 60_000;
    private readonly SqliteConnection _connection;
    private readonly byte[] _kek = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _hashKey = RandomNumberGenerator.GetBytes(32);
    private readonly SqliteCommand _insertPerson, _insertAudit, _selectDocument, _selectVersion, _upsertDocument, _selectKey;
    private readonly SqliteCommand _insertSession, _selectSession, _touchSession, _insertLink, _selectLink, _spendLink, _selectProfile;

    public FeatureFloor(string path)
    {
        _connection = new SqliteConnection($"Data Source={path};Pooling=False");
        _connection.Open();
        Run("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA secure_delete=ON; PRAGMA synchronous=NORMAL;");
        Run("""
            CREATE TABLE persons (token BLOB PRIMARY KEY, profile BLOB NOT NULL, wrapped BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE audit_events (at INTEGER NOT NULL, operation TEXT NOT NULL, subject BLOB, details BLOB);
            CREATE TABLE app_data (owner BLOB NOT NULL, app TEXT NOT NULL, data BLOB NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (owner, app)) WITHOUT ROWID;
            CREATE TABLE sessions (id_hash BLOB PRIMARY KEY, owner BLOB, data BLOB NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE share_links (token_hash BLOB PRIMARY KEY, owner BLOB NOT NULL, fields BLOB NOT NULL, reads_left INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
            """);
        _insertPerson = Prepare("INSERT INTO persons (token, profile, wrapped) VALUES ($p0, $p1, $p2)", 3);
        _insertAudit = Prepare("INSERT INTO audit_events (at, operation, subject, details) VALUES ($p0, $p1, $p2, $p3)", 4);
        _selectKey = Prepare("SELECT wrapped FROM persons WHERE token = $p0", 1);
        _selectDocument = Prepare("SELECT a.data, a.version, p.wrapped FROM app_data a JOIN persons p ON p.token = a.owner WHERE a.owner = $p0 AND a.app = $p1", 2);
        _selectVersion = Prepare("SELECT version FROM app_data WHERE owner = $p0 AND app = $p1", 2);
        _upsertDocument = Prepare("INSERT INTO app_data (owner, app, data, version) VALUES ($p0, $p1, $p2, $p3) ON CONFLICT (owner, app) DO UPDATE SET data = excluded.data, version = excluded.version", 4);
        _insertSession = Prepare("INSERT INTO sessions (id_hash, owner, data, last_seen, expires_at) VALUES ($p0, $p1, $p2, $p3, $p4)", 5);
        _selectSession = Prepare("SELECT s.owner, s.data, s.last_seen, p.wrapped FROM sessions s LEFT JOIN persons p ON p.token = s.owner WHERE s.id_hash = $p0 AND s.expires_at > $p1", 2);
        _touchSession = Prepare("UPDATE sessions SET last_seen = $p1, expires_at = $p2 WHERE id_hash = $p0", 3);
        _insertLink = Prepare("INSERT INTO share_links (token_hash, owner, fields, reads_left, expires_at) VALUES ($p0, $p1, $p2, $p3, $p4)", 5);
        _selectLink = Prepare("SELECT l.owner, l.fields, p.wrapped, p.profile FROM share_links l JOIN persons p ON p.token = l.owner WHERE l.token_hash = $p0", 1);
        _spendLink = Prepare("UPDATE share_links SET reads_left = reads_left - 1 WHERE token_hash = $p0 AND reads_left > 0 AND expires_at > $p1 RETURNING reads_left", 2);
        _selectProfile = Prepare("SELECT profile FROM persons WHERE token = $p0", 1);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>A person with a profile, their data key wrapped under the floor's key-encryption key.</summary>
    public Guid CreatePerson(JsonElement profile)
    {
        var token = Guid.NewGuid();
        var id = token.ToByteArray();
        var dek = RandomNumberGenerator.GetBytes(32);
        Execute(_insertPerson, null, id, Seal(dek, JsonSerializer.SerializeToUtf8Bytes(profile), id), Seal(_kek, dek, id));
        return token;
    }

    /// <summary>Reads a person's document for an application, opened, with its audit row.</summary>
    public JsonElement? GetDocument(Guid owner, string app)
    {
        var id = owner.ToByteArray();
        byte[] data, wrapped;
        _selectDocument.Parameters[0].Value = id;
        _selectDocument.Parameters[1].Value = app;
        using (var reader = _selectDocument.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            (data, wrapped) = ((byte[])reader[0], (byte[])reader[2]);
        }

        var dek = Open(_kek, wrapped, id);
        var document = JsonSerializer.Deserialize<JsonElement>(Open(dek, data, Context(id, app)));
        Audit("appdata.get", id);
        return document;
    }

    /// <summary>Writes a person's document for an application if it is at the expected version; returns the new version, or -1.</summary>
    public long PutDocument(Guid owner, string app, JsonElement document, long? expectedVersion)
    {
        var id = owner.ToByteArray();
        _selectKey.Parameters[0].Value = id;
        var wrapped = (byte[]?)_selectKey.ExecuteScalar() ?? throw new InvalidOperationException("no such person");
        var sealedDocument = Seal(Open(_kek, wrapped, id), JsonSerializer.SerializeToUtf8Bytes(document), Context(id, app));
        using var transaction = _connection.BeginTransaction(deferred: false);
        _selectVersion.Transaction = transaction;
        _selectVersion.Parameters[0].Value = id;
        _selectVersion.Parameters[1].Value = app;
        var current = _selectVersion.ExecuteScalar() is long v ? v : 0;
        if (expectedVersion is { } expected && expected != current)
        {
            return -1;
        }

        Execute(_upsertDocument, transaction, id, app, sealedDocument, current + 1);
        Execute(_insertAudit, transaction, Now, "appdata.put", id, DBNull.Value);
        transaction.Commit();
        return current + 1;
    }

    /// <summary>Makes a session owned by a person; returns its id.</summary>
    public string CreateSession(Guid owner, JsonElement data)
    {
        var id = owner.ToByteArray();
        _selectKey.Parameters[0].Value = id;
        var dek = Open(_kek, (byte[])_selectKey.ExecuteScalar()!, id);
        var sessionId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var hash = HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(sessionId));
        Execute(_insertSession, null, hash, id, Seal(dek, JsonSerializer.SerializeToUtf8Bytes(data), hash), Now, Now + IdleMs);
        return sessionId;
    }

    /// <summary>Reads a session and touches it when its last-seen time is a minute old.</summary>
    public JsonElement? GetSessionAndTouch(string sessionId)
    {
        var hash = HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(sessionId));
        var now = Now;
        byte[] owner, data, wrapped;
        long lastSeen;
        _selectSession.Parameters[0].Value = hash;
        _selectSession.Parameters[1].Value = now;
        using (var reader = _selectSession.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            (owner, data, lastSeen, wrapped) = ((byte[])reader[0], (byte[])reader[1], reader.GetInt64(2), (byte[])reader[3]);
        }

        if (lastSeen <= now - TouchIntervalMs)
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            Execute(_touchSession, transaction, hash, now, now + IdleMs);
            transaction.Commit();
        }

        return JsonSerializer.Deserialize<JsonElement>(Open(Open(_kek, wrapped, owner), data, hash));
    }

    /// <summary>Makes a link to one profile field; returns its token.</summary>
    public string CreateLink(Guid owner, string field, int reads)
    {
        var id = owner.ToByteArray();
        _selectKey.Parameters[0].Value = id;
        var dek = Open(_kek, (byte[])_selectKey.ExecuteScalar()!, id);
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var hash = HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(token));
        Execute(_insertLink, null, hash, id, Seal(dek, Encoding.UTF8.GetBytes(field), hash), reads, Now + 86_400_000);
        return token;
    }

    /// <summary>Redeems a link: spends a read with its audit row, then returns the field's current value.</summary>
    public JsonElement? Redeem(string token)
    {
        var hash = HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(token));
        byte[] owner, fields, wrapped;
        _selectLink.Parameters[0].Value = hash;
        using (var reader = _selectLink.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            (owner, fields, wrapped) = ((byte[])reader[0], (byte[])reader[1], (byte[])reader[2]);
        }

        var dek = Open(_kek, wrapped, owner);
        var field = Encoding.UTF8.GetString(Open(dek, fields, hash));
        using (var transaction = _connection.BeginTransaction(deferred: false))
        {
            _spendLink.Transaction = transaction;
            _spendLink.Parameters[0].Value = hash;
            _spendLink.Parameters[1].Value = Now;
            if (_spendLink.ExecuteScalar() is null)
            {
                return null;
            }

            Execute(_insertAudit, transaction, Now, "share.redeem", owner, DBNull.Value);
            transaction.Commit();
        }

        _selectProfile.Parameters[0].Value = owner;
        var profile = JsonSerializer.Deserialize<JsonElement>(Open(dek, (byte[])_selectProfile.ExecuteScalar()!, owner));
        return profile.GetProperty(field.TrimStart('/')).Clone();
    }

    public void Dispose() => _connection.Dispose();

    private static byte[] Context(byte[] id, string app) => [.. id, .. Encoding.UTF8.GetBytes(app)];

    private static byte[] Seal(byte[] key, byte[] plaintext, byte[] context)
    {
        var output = new byte[12 + plaintext.Length + 16];
        RandomNumberGenerator.Fill(output.AsSpan(0, 12));
        using var gcm = new AesGcm(key, 16);
        gcm.Encrypt(output.AsSpan(0, 12), plaintext, output.AsSpan(12, plaintext.Length), output.AsSpan(12 + plaintext.Length), context);
        return output;
    }

    private static byte[] Open(byte[] key, byte[] envelope, byte[] context)
    {
        var plaintext = new byte[envelope.Length - 28];
        using var gcm = new AesGcm(key, 16);
        gcm.Decrypt(envelope.AsSpan(0, 12), envelope.AsSpan(12, plaintext.Length), envelope.AsSpan(12 + plaintext.Length), plaintext, context);
        return plaintext;
    }

    private void Audit(string operation, byte[] subject)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        Execute(_insertAudit, transaction, Now, operation, subject, DBNull.Value);
        transaction.Commit();
    }

    private void Run(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
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

    private static void Execute(SqliteCommand command, SqliteTransaction? transaction, params object[] values)
    {
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
    }
}
