using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Databunker.Core.Kernel.Crypto;
using Databunker.Core.Storage;

namespace Databunker.Core.Tests.Security;

/// <summary>
/// The audit chain's links are stored in every vault: a change of what the MAC covers, or of how the fields are
/// laid out, would make every existing trail fail verification. The layout is pinned here against an
/// independent construction of the documented input.
/// </summary>
public sealed class AuditChainFormatTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    private static IEnumerable<TestCaseData> Events()
    {
        yield return new TestCaseData(new AuditRecord(0, 1_764_000_000_000, "bench", "person.get", Guid.NewGuid(), "ok", null)).SetName("ReadEvent");
        yield return new TestCaseData(new AuditRecord(0, 5, "Zoë «admin»", "person.update", null, "not-found", [1, 2, 3])).SetName("NoSubject_Details_NonAsciiActor");
        yield return new TestCaseData(new AuditRecord(0, -1, new string('a', 300), "token.create", Guid.NewGuid(), "ok", RandomNumberGenerator.GetBytes(700)))
            .SetName("InputLongerThanTheStackBuffer");
    }

    [TestCaseSource(nameof(Events))]
    public void Link_IsTheHmacOfTheDocumentedFields(AuditRecord record)
    {
        var chain = new AuditChain();
        chain.UseKey(Key);
        var previous = RandomNumberGenerator.GetBytes(32);

        var link = chain.Link(previous, 1, 42, record);

        link.Should().Equal(Expected(previous, 1, 42, record));
        chain.Link(previous, 1, 43, record).Should().NotEqual(link, "the sequence number is covered");
        chain.Link(previous, 1, 42, record).Should().Equal(link, "a link is a function of its inputs (the reused MAC context starts clean)");
    }

    /// <summary>Stripe 1 keeps the links of the one chain from before stripes; every other stripe's number is covered.</summary>
    [TestCaseSource(nameof(Events))]
    public void Link_CoversTheStripe_ExceptInStripeOne(AuditRecord record)
    {
        var chain = new AuditChain();
        chain.UseKey(Key);
        var previous = new byte[32];

        var links = new[] { 1, 2, 3, 32 }.Select(stripe => chain.Link(previous, stripe, 1, record)).ToList();

        links.Select(Convert.ToHexString).Should().OnlyHaveUniqueItems("the same event at the same place in two stripes has two links");
        links[1].Should().Equal(Expected(previous, 2, 1, record));
        links[3].Should().Equal(Expected(previous, 32, 1, record));
    }

    /// <summary>
    /// previous ‖ sequence ‖ at ‖ actor ‖ operation ‖ subject ‖ outcome ‖ details, then the stripe (4 bytes) in every stripe
    /// but 1; numbers and lengths are 8 bytes big-endian.
    /// </summary>
    private static byte[] Expected(byte[] previous, int stripe, long sequence, AuditRecord record)
    {
        using var input = new MemoryStream();
        input.Write(previous);
        Number(input, sequence);
        Number(input, record.At);
        Text(input, record.Actor);
        Text(input, record.Operation);
        input.WriteByte(record.Person is null ? (byte)0 : (byte)1);
        input.Write(record.Person is { } subject ? subject.ToByteArray() : new byte[16]);
        Text(input, record.Outcome);
        if (record.Details is { } details)
        {
            Number(input, details.Length);
            input.Write(details);
        }
        else
        {
            Number(input, -1);
        }

        if (stripe != 1)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, stripe);
            input.Write(bytes);
        }

        return HMACSHA256.HashData(Key, input.ToArray());
    }

    private static void Number(Stream stream, long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void Text(Stream stream, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Number(stream, bytes.Length);
        stream.Write(bytes);
    }
}
