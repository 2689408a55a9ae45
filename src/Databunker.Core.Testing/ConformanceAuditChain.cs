using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Databunker.Core.Storage;

namespace Databunker.Core.Testing;

/// <summary>
/// An <see cref="IAuditChain"/> under a random key for the conformance fixtures: the storage under test links its
/// events with it, and the fixtures recompute the links to check them. Not for production: the vault's own
/// chain keeps its key wrapped in the vault. Its layout is its own (the stripe is covered in every stripe, stripe 1
/// too): what the fixtures check is that a storage passes each event's stripe and sequence, not the vault's layout.
/// </summary>
public sealed class ConformanceAuditChain : IAuditChain
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <inheritdoc/>
    public int LinkSize => 32;

    /// <inheritdoc/>
    public byte[] Link(ReadOnlySpan<byte> previous, int stripe, long sequence, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        Span<byte> number = stackalloc byte[8];
        hmac.AppendData(previous);
        BinaryPrimitives.WriteInt64BigEndian(number, sequence);
        hmac.AppendData(number);
        BinaryPrimitives.WriteInt64BigEndian(number, record.At);
        hmac.AppendData(number);
        foreach (var text in new[] { record.Actor, record.Operation, record.Person?.ToString("N") ?? "-", record.Outcome })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            BinaryPrimitives.WriteInt64BigEndian(number, bytes.Length);
            hmac.AppendData(number);
            hmac.AppendData(bytes);
        }

        BinaryPrimitives.WriteInt64BigEndian(number, record.Details?.Length ?? -1);
        hmac.AppendData(number);
        hmac.AppendData(record.Details ?? []);
        BinaryPrimitives.WriteInt64BigEndian(number, stripe);
        hmac.AppendData(number);
        return hmac.GetHashAndReset();
    }
}
