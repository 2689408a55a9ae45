using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Databunker.Core.Benchmarks;

/// <summary>
/// The floor of field retention, written by hand as a competent engineer would: a due table with an index on the due
/// time; for each due person, one transaction that reads the profile and key, opens both, drops the member, seals the
/// rest, writes it back with its version checked, appends one audit row and clears the person's due time.
/// </summary>
public sealed partial class Floor
{
    private SqliteCommand? _insertDue;
    private SqliteCommand? _selectDue;
    private SqliteCommand? _deleteDue;

    /// <summary>Makes <paramref name="token"/>'s fields due at <paramref name="dueAt"/>.</summary>
    public void StartFieldRetention(Guid token, long dueAt)
    {
        PrepareFieldRetention();
        Execute(_insertDue!, null, token.ToByteArray(), dueAt);
    }

    /// <summary>Deletes <paramref name="member"/> from every profile due at <paramref name="now"/>; returns the leaves deleted.</summary>
    public int RunFieldRetention(long now, string member)
    {
        PrepareFieldRetention();
        var deleted = 0;
        while (true)
        {
            var due = new List<byte[]>();
            _selectDue!.Parameters[0].Value = now;
            using (var reader = _selectDue.ExecuteReader())
            {
                while (reader.Read())
                {
                    due.Add((byte[])reader[0]);
                }
            }

            foreach (var id in due)
            {
                using var transaction = _connection.BeginTransaction(deferred: false);
                _selectByToken.Transaction = transaction;
                _selectByToken.Parameters[0].Value = id;
                byte[] profile, wrapped;
                long version;
                using (var reader = _selectByToken.ExecuteReader())
                {
                    reader.Read();
                    profile = (byte[])reader[1];
                    version = reader.GetInt64(2);
                    wrapped = (byte[])reader[3];
                }

                var dek = Open(_kek, wrapped, id);
                var node = JsonNode.Parse(Open(dek, profile, id))!.AsObject();
                var leaves = node[member] is JsonObject inner ? inner.Count : 1;
                node.Remove(member);
                var at = Environment.TickCount64;
                Execute(_updateUser, transaction, id, Seal(dek, JsonSerializer.SerializeToUtf8Bytes(node), id), at, version);
                Execute(_insertAudit, transaction, at, "person.minimise", id, Seal(dek, "{\"removed\":[\"/voucher/code\",\"/voucher/value\",\"/voucher/until\"]}"u8.ToArray(), id));
                Execute(_deleteDue!, transaction, id);
                transaction.Commit();
                deleted += leaves;
            }

            if (due.Count < 500)
            {
                return deleted;
            }
        }
    }

    private void PrepareFieldRetention()
    {
        if (_insertDue is not null)
        {
            return;
        }

        Run("CREATE TABLE IF NOT EXISTS field_due (owner BLOB PRIMARY KEY, due_at INTEGER NOT NULL) WITHOUT ROWID; CREATE INDEX IF NOT EXISTS ix_field_due ON field_due (due_at);");
        _insertDue = Prepare("INSERT OR REPLACE INTO field_due (owner, due_at) VALUES ($p0, $p1)", 2);
        _selectDue = Prepare("SELECT owner FROM field_due WHERE due_at <= $p0 ORDER BY due_at LIMIT 500", 1);
        _deleteDue = Prepare("DELETE FROM field_due WHERE owner = $p0", 1);
    }
}
