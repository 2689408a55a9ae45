using System.Text;

namespace Databunker.Core.Kernel.Crypto;

/// <summary>
/// Builds the associated data that binds a ciphertext or wrapped key to its purpose, owner and field:
/// <c>purpose ‖ 0x00 ‖ owner (16 bytes)</c>.
/// </summary>
internal static class AssociatedData
{
    // The purposes a ciphertext is bound to; a value is never reused for another purpose.
    internal const string
        Profile = "profile",
        AuditDetails = "audit-details",
        DataKey = "data-key",
        SystemKey = "system-key",
        TokenValue = "token-value",
        SealedToken = "sealed-token",
        AppData = "app-data",
        SessionData = "session-data",
        SessionLabel = "session-label",
        ShareRecipient = "share-recipient",
        ShareFields = "share-fields",
        ConsentEvidence = "consent-evidence",
        PrivacyRequest = "privacy-request",
        PendingConsentEvidence = "pending-consent-evidence";

    public static byte[] For(string purpose, ReadOnlySpan<byte> owner)
    {
        var buffer = new byte[Encoding.ASCII.GetByteCount(purpose) + 1 + owner.Length];
        var written = Encoding.ASCII.GetBytes(purpose, buffer);
        buffer[written] = 0;
        owner.CopyTo(buffer.AsSpan(written + 1));
        return buffer;
    }

    public static byte[] For(string purpose, Guid owner)
    {
        var buffer = new byte[Encoding.ASCII.GetByteCount(purpose) + 1 + 16];
        var written = Encoding.ASCII.GetBytes(purpose, buffer);
        buffer[written] = 0;
        owner.TryWriteBytes(buffer.AsSpan(written + 1));
        return buffer;
    }

    public static byte[] For(string purpose, string name)
    {
        var buffer = new byte[Encoding.ASCII.GetByteCount(purpose) + 1 + Encoding.UTF8.GetByteCount(name)];
        var written = Encoding.ASCII.GetBytes(purpose, buffer);
        buffer[written] = 0;
        Encoding.UTF8.GetBytes(name, buffer.AsSpan(written + 1));
        return buffer;
    }

    /// <summary>
    /// <c>audit-details ‖ 0x00 ‖ owner (16 bytes) ‖ time (8 bytes big-endian) ‖ operation (UTF-8)</c>: binds an audit
    /// event's details to that event, so that details copied to another event of the same person fail to open.
    /// </summary>
    public static byte[] ForAuditDetails(Guid owner, string operation, long at)
    {
        var prefix = Encoding.ASCII.GetByteCount(AuditDetails) + 1;
        var buffer = new byte[prefix + 16 + 8 + Encoding.UTF8.GetByteCount(operation)];
        Encoding.ASCII.GetBytes(AuditDetails, buffer);
        owner.TryWriteBytes(buffer.AsSpan(prefix));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(prefix + 16), at);
        Encoding.UTF8.GetBytes(operation, buffer.AsSpan(prefix + 24));
        return buffer;
    }

    /// <summary>
    /// <c>purpose ‖ 0x00 ‖ hash ‖ owner (16 bytes, zero when none) ‖ expiry (8 bytes big-endian, -1 when never)</c>,
    /// then, for a token that keeps its scope, <c>‖ scope (UTF-8, 1 to 200 characters)</c>: binds a token's value to its
    /// token, owner, expiry and scope, so that clearing or moving any of them in the table makes the value fail to open.
    /// The hash has a fixed length, so a token without a scope (made before scopes were kept) cannot pass for one with.
    /// </summary>
    public static byte[] ForToken(string purpose, ReadOnlySpan<byte> hash, Guid? owner, long? expiresAt, string? scope = null)
    {
        var prefix = Encoding.ASCII.GetByteCount(purpose) + 1;
        var fixedLength = prefix + hash.Length + 16 + 8;
        var buffer = new byte[fixedLength + (scope is null ? 0 : Encoding.UTF8.GetByteCount(scope))];
        Encoding.ASCII.GetBytes(purpose, buffer);
        hash.CopyTo(buffer.AsSpan(prefix));
        (owner ?? Guid.Empty).TryWriteBytes(buffer.AsSpan(prefix + hash.Length));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(prefix + hash.Length + 16), expiresAt ?? -1);
        if (scope is not null)
        {
            Encoding.UTF8.GetBytes(scope, buffer.AsSpan(fixedLength));
        }

        return buffer;
    }

    /// <summary>
    /// <c>"app-data" ‖ 0x00 ‖ owner (16 bytes) ‖ application name (UTF-8)</c>: binds an app-data document to its
    /// person and application, so that a document copied to another person's or application's row fails to open.
    /// </summary>
    public static byte[] ForAppData(Guid owner, string app)
    {
        var prefix = Encoding.ASCII.GetByteCount(AppData) + 1;
        var buffer = new byte[prefix + 16 + Encoding.UTF8.GetByteCount(app)];
        Encoding.ASCII.GetBytes(AppData, buffer);
        owner.TryWriteBytes(buffer.AsSpan(prefix));
        Encoding.UTF8.GetBytes(app, buffer.AsSpan(prefix + 16));
        return buffer;
    }

    /// <summary>
    /// <c>purpose ‖ 0x00 ‖ owner (16 bytes, zero when anonymous) ‖ handle (16 bytes)</c>: binds a session's data or
    /// label, or a share link's recipient or fields, to its record and owner, so that it fails to open in another row.
    /// </summary>
    public static byte[] ForOwnedRecord(string purpose, Guid? owner, Guid handle)
    {
        var prefix = Encoding.ASCII.GetByteCount(purpose) + 1;
        var buffer = new byte[prefix + 32];
        Encoding.ASCII.GetBytes(purpose, buffer);
        (owner ?? Guid.Empty).TryWriteBytes(buffer.AsSpan(prefix));
        handle.TryWriteBytes(buffer.AsSpan(prefix + 16));
        return buffer;
    }

    /// <summary>
    /// <c>"consent-evidence" ‖ 0x00 ‖ owner (16 bytes) ‖ time (8 bytes big-endian) ‖ activity (UTF-8)</c>: binds a
    /// decision's evidence to its person, activity and time, so that it fails to open on another event.
    /// </summary>
    public static byte[] ForConsentEvidence(Guid owner, string activity, long at)
    {
        var prefix = Encoding.ASCII.GetByteCount(ConsentEvidence) + 1;
        var buffer = new byte[prefix + 24 + Encoding.UTF8.GetByteCount(activity)];
        Encoding.ASCII.GetBytes(ConsentEvidence, buffer);
        owner.TryWriteBytes(buffer.AsSpan(prefix));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(prefix + 16), at);
        Encoding.UTF8.GetBytes(activity, buffer.AsSpan(prefix + 24));
        return buffer;
    }

    /// <summary>
    /// <c>"pending-consent-evidence" ‖ 0x00 ‖ index hash (32 bytes) ‖ time (8 bytes big-endian) ‖ activity (UTF-8)</c>:
    /// binds the evidence of a decision recorded before registration to its email or phone, activity and time.
    /// </summary>
    public static byte[] ForPendingConsentEvidence(byte[] indexHash, string activity, long at)
    {
        var prefix = Encoding.ASCII.GetByteCount(PendingConsentEvidence) + 1;
        var buffer = new byte[prefix + indexHash.Length + 8 + Encoding.UTF8.GetByteCount(activity)];
        Encoding.ASCII.GetBytes(PendingConsentEvidence, buffer);
        indexHash.CopyTo(buffer.AsSpan(prefix));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(prefix + indexHash.Length), at);
        Encoding.UTF8.GetBytes(activity, buffer.AsSpan(prefix + indexHash.Length + 8));
        return buffer;
    }
}
