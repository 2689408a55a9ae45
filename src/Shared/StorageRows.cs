namespace Databunker.Core.Shared;

// Rows as both providers' statements name their columns, read by Dapper.AOT's generated code. An id is read as its
// 16 bytes: Dapper.AOT converts no blob to a Guid, so each row turns its bytes into the storage record's types.

/// <summary>An audit event as stored: <c>id, at, actor, operation, person, outcome, details</c>, and its place in the chain when the statement selects it.</summary>
internal sealed record AuditRow(long Id, long At, string Actor, string Operation, byte[]? Person, string Outcome, byte[]? Details, long Seq = 0, byte[]? Link = null)
{
    public AuditRecord ToRecord() => new(Id, At, Actor, Operation, Person is null ? null : new Guid(Person), Outcome, Details);

    public ChainedAuditRecord ToChained() => new(Seq, Link, ToRecord());
}

/// <summary>An audit event's place in the chain: its sequence number and link.</summary>
internal sealed record ChainRow(long Seq, byte[]? Link);

/// <summary>A person's wrapped data key.</summary>
internal sealed record DataKeyRow(byte[] Owner, string KeyVersion, byte[] Wrapped)
{
    public StoredDataKey ToStored() => new(new Guid(Owner), new WrappedKey(KeyVersion, Wrapped));
}

/// <summary>An expiration: <c>state, due_at, retain_hash, delete_hash, binding</c>, and the person's token when the statement selects it.</summary>
internal sealed record ExpirationRow(long State, long DueAt, byte[]? RetainHash, byte[]? DeleteHash, byte[]? Binding, byte[]? Token = null)
{
    public const string Columns = "state, due_at, retain_hash, delete_hash, binding";

    public StoredExpiration ToStored() => new((Expiration.ExpirationState)State, DueAt, RetainHash, DeleteHash, Binding);

    /// <summary>The link that <paramref name="deleteHash"/> or the keep link's hash found.</summary>
    public StoredExpirationLink ToLink(byte[] deleteHash) =>
        new(new Guid(Token!), DeleteHash is { } d && d.AsSpan().SequenceEqual(deleteHash), ToStored());
}

/// <summary>A share link, and its owner's wrapped data key when the statement joins it in.</summary>
internal sealed record ShareLinkRow(
    byte[] Handle, byte[] Owner, byte[] Recipient, byte[] Fields, long CreatedAt, long ExpiresAt, long MaxReads, long ReadsLeft, long? RevokedAt,
    string? KeyVersion = null, byte[]? Wrapped = null)
{
    public const string Columns = "l.handle, l.owner, l.recipient, l.fields, l.created_at, l.expires_at, l.max_reads, l.reads_left, l.revoked_at";

    /// <summary>The link with its owner's key, from <see cref="Columns"/> and the key's columns.</summary>
    public const string SelectWithKey = $"SELECT {Columns}, k.key_version, k.wrapped FROM share_links l LEFT JOIN data_keys k ON k.owner = l.owner";

    public StoredShareLink ToStored() => new(
        new Guid(Handle), new Guid(Owner), Recipient, Fields, CreatedAt, ExpiresAt, (int)MaxReads, (int)ReadsLeft, RevokedAt,
        KeyVersion is null ? null : new WrappedKey(KeyVersion, Wrapped!));
}

/// <summary>A data-subject request as stored, its enums as the numbers they are stored as (Dapper.AOT 1.0.48 converts no number to an enum).</summary>
internal sealed record PrivacyRequestRecord(
    byte[] Id, byte[] Owner, long Type, long Regime, long State, long Version, string? Activity, long ReceivedAt, long? AcknowledgeBy, long? AcknowledgedAt,
    long DueAt, bool Extended, long VerifyBy, long? VerifiedAt, byte[]? CodeHash, long? CodeExpiresAt, long CodeAttempts, long CodesSent, long? DecidedAt,
    string? DecidedBy, long? ClosedAt, string? Outcome, long? OverdueAt, long? WakeAt, byte[]? Sealed)
{
    public const string Columns =
        "id, owner, type, regime, state, version, activity, received_at, acknowledge_by, acknowledged_at, due_at, extended, verify_by, verified_at, " +
        "code_hash, code_expires_at, code_attempts, codes_sent, decided_at, decided_by, closed_at, outcome, overdue_at, wake_at, sealed";

    public static IReadOnlyList<PrivacyRequestRow> ToRows(IEnumerable<PrivacyRequestRecord> records) => [.. records.Select(r => r.ToRow())];

    public PrivacyRequestRow ToRow() => new()
    {
        Id = new Guid(Id),
        Person = new Guid(Owner),
        Type = (Requests.PrivacyRequestType)Type,
        Regime = (Requests.PrivacyRegime)Regime,
        State = (Requests.PrivacyRequestState)State,
        Version = Version,
        Activity = Activity,
        ReceivedAt = ReceivedAt,
        AcknowledgeBy = AcknowledgeBy,
        AcknowledgedAt = AcknowledgedAt,
        DueAt = DueAt,
        Extended = Extended,
        VerifyBy = VerifyBy,
        VerifiedAt = VerifiedAt,
        CodeHash = CodeHash,
        CodeExpiresAt = CodeExpiresAt,
        CodeAttempts = (int)CodeAttempts,
        CodesSent = (int)CodesSent,
        DecidedAt = DecidedAt,
        DecidedBy = DecidedBy,
        ClosedAt = ClosedAt,
        Outcome = Outcome,
        OverdueAt = OverdueAt,
        WakeAt = WakeAt,
        Sealed = Sealed,
    };
}
