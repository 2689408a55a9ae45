using System.Buffers.Binary;
using System.Text;

namespace Databunker.Core.Kernel.Crypto;

/// <summary>
/// The HMAC-SHA256 chain over the audit trail, under the vault's own audit-chain system key:
/// <c>link = HMAC(key, previous ‖ sequence ‖ at ‖ actor ‖ operation ‖ subject ‖ outcome ‖ details)</c>, every
/// variable field length-prefixed. The key ring hands it the key when the vault opens.
/// </summary>
internal sealed class AuditChain : IAuditChain
{
    public const int Size = 32;
    private volatile byte[]? _key;

    public int LinkSize => Size;

    /// <summary>Set by the key ring once the vault's audit-chain key is open.</summary>
    public void UseKey(byte[] key) => _key = key;

    public byte[] Link(ReadOnlySpan<byte> previous, long sequence, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var key = _key ?? throw new InvalidOperationException("The audit chain is used before the vault was opened.");
        BlindIndex.RefuseZeroKey(key);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        Span<byte> number = stackalloc byte[8];
        hmac.AppendData(previous);
        AppendInt64(hmac, number, sequence);
        AppendInt64(hmac, number, record.At);
        AppendText(hmac, number, record.Actor);
        AppendText(hmac, number, record.Operation);
        Span<byte> subject = stackalloc byte[17];
        if (record.Subject is { } s)
        {
            subject[0] = 1;
            s.TryWriteBytes(subject[1..]);
        }

        hmac.AppendData(subject);
        AppendText(hmac, number, record.Outcome);
        if (record.Details is { } details)
        {
            AppendInt64(hmac, number, details.Length);
            hmac.AppendData(details);
        }
        else
        {
            AppendInt64(hmac, number, -1);
        }

        return hmac.GetHashAndReset();
    }

    private static void AppendInt64(IncrementalHash hmac, Span<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer, value);
        hmac.AppendData(buffer);
    }

    private static void AppendText(IncrementalHash hmac, Span<byte> buffer, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        AppendInt64(hmac, buffer, bytes.Length);
        hmac.AppendData(bytes);
    }
}
