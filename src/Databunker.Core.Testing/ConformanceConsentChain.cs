using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Databunker.Core.Testing;

/// <summary>
/// An <see cref="IConsentChain"/> under a random key for the conformance fixtures: the storage under test links each
/// person's decisions with it, and the fixtures recompute the links to check them. Not for production: the vault's
/// own chain keys it with a subkey of its integrity key.
/// </summary>
public sealed class ConformanceConsentChain : IConsentChain
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <inheritdoc/>
    public int LinkSize => 32;

    /// <inheritdoc/>
    public byte[] Link(ReadOnlySpan<byte> previous, long sequence, NewConsentEvent consent)
    {
        ArgumentNullException.ThrowIfNull(consent);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        Span<byte> number = stackalloc byte[8];
        hmac.AppendData(previous);
        foreach (var value in new[] { sequence, (long)consent.Decision, consent.At, consent.ExpiresAt ?? -1 })
        {
            BinaryPrimitives.WriteInt64BigEndian(number, value);
            hmac.AppendData(number);
        }

        hmac.AppendData(consent.Person.ToByteArray());
        hmac.AppendData(Encoding.UTF8.GetBytes(consent.Activity));
        return hmac.GetHashAndReset();
    }
}
