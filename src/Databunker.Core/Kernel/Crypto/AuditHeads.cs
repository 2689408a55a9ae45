using System.Buffers.Binary;

namespace Databunker.Core.Kernel.Crypto;

/// <summary>
/// The combined head of a striped audit trail (<see cref="AuditChainHead"/>): a format byte, the number of stripes,
/// each stripe's number and head sequence (7-bit encoded), the number of events from before the chain (format 3), then
/// a SHA-256 over every stripe's number, head sequence and head link. The positions let a later verification find the
/// links that the hash covers; the count, that no unlinked event was added below the start since (a purge only lowers it).
/// </summary>
internal static class AuditHeads
{
    private const byte Format = 3;

    /// <summary>The head of <paramref name="chain"/> as a host anchors it.</summary>
    public static AuditChainHead Of(StoredAuditChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Format);
            writer.Write7BitEncodedInt(chain.Stripes.Count);
            foreach (var stripe in chain.Stripes)
            {
                writer.Write7BitEncodedInt(stripe.Stripe);
                writer.Write7BitEncodedInt64(stripe.HeadSequence);
            }

            writer.Write7BitEncodedInt64(chain.LegacyEvents);
            writer.Write(Digest(chain.Stripes.Select(s => (s.Stripe, s.HeadSequence, s.HeadLink))));
        }

        return new AuditChainHead(chain.Stripes.Sum(s => s.HeadSequence), Convert.ToBase64String(buffer.ToArray()));
    }

    /// <summary>
    /// Reads an anchored head's stripe positions, count of events from before the chain and hash; throws
    /// <see cref="ArgumentException"/> for a head this vault did not make (a head of format 2, made before the count was
    /// in it by pre-release builds, among them: anchor a new one).
    /// </summary>
    public static AnchoredHead Parse(AuditChainHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(Convert.FromBase64String(head.Link)));
            if (reader.ReadByte() != Format)
            {
                throw new FormatException();
            }

            // Each stripe takes two bytes at least: a count beyond what the head holds is not one this vault made (and
            // must not size a dictionary).
            var count = reader.Read7BitEncodedInt();
            if (count < 0 || count > (reader.BaseStream.Length - reader.BaseStream.Position) / 2)
            {
                throw new FormatException();
            }

            var positions = new Dictionary<int, long>(count);
            for (var i = 0; i < count; i++)
            {
                positions.Add(reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt64());
            }

            var legacy = reader.Read7BitEncodedInt64();
            var digest = reader.ReadBytes(SHA256.HashSizeInBytes);
            if (digest.Length != SHA256.HashSizeInBytes || reader.BaseStream.Position != reader.BaseStream.Length || positions.Values.Sum() != head.Sequence || legacy < 0)
            {
                throw new FormatException();
            }

            return new AnchoredHead(positions, legacy, digest);
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException or ArgumentException or OverflowException)
        {
            throw new ArgumentException("The anchored head is not one that GetAuditChainHeadAsync made: pass the head exactly as it was exported.", nameof(head), ex);
        }
    }

    /// <summary>SHA-256 over the format and each stripe's number, head sequence and head link, in the order given.</summary>
    public static byte[] Digest(IEnumerable<(int Stripe, long Sequence, byte[] Link)> heads)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[12];
        hash.AppendData([Format]);
        foreach (var (stripe, sequence, link) in heads)
        {
            BinaryPrimitives.WriteInt32BigEndian(number, stripe);
            BinaryPrimitives.WriteInt64BigEndian(number[4..], sequence);
            hash.AppendData(number);
            hash.AppendData(link);
        }

        return hash.GetHashAndReset();
    }
}

/// <summary>An anchored head as read back: each stripe's position, the count of events from before the chain, and the hash.</summary>
internal sealed record AnchoredHead(IReadOnlyDictionary<int, long> Positions, long LegacyEvents, byte[] Digest);
