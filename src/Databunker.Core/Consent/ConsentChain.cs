using System.Buffers.Binary;
using System.Text;

namespace Databunker.Core.Consent;

/// <summary>
/// The HMAC-SHA256 chain over each person's consent decisions, under a subkey of the integrity key of its own
/// (<c>databunker consent ledger chain</c>): <c>link = HMAC(key, previous ‖ owner ‖ sequence ‖ activity ‖ decision ‖
/// method ‖ source ‖ notice ‖ notice version ‖ notice hash ‖ at ‖ expires at)</c>, every variable field
/// length-prefixed. The evidence is left out: it is sealed under the person's key already, and a forget that keeps the
/// history as proof removes it. The key ring hands it the key when the vault opens.
/// </summary>
internal sealed class ConsentChain : IConsentChain, ISystemKeyUser
{
    public const int Size = 32;
    private volatile byte[]? _key;

    public int LinkSize => Size;

    /// <summary>Set by the key ring once the integrity key is open.</summary>
    public void UseKeys(SystemKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        UseKey(keys.ConsentChain);
    }

    /// <summary>Sets the key: the key ring's subkey, or a test's own.</summary>
    public void UseKey(byte[] key) => _key = key;

    public byte[] Link(ReadOnlySpan<byte> previous, long sequence, NewConsentEvent consent)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var key = _key ?? throw new InvalidOperationException("The consent chain is used before the vault was opened.");
        BlindIndex.RefuseZeroKey(key);
        if (previous.Length != Size)
        {
            throw new VaultCryptoException("A consent decision follows a link of the wrong length: the ledger was altered.");
        }

        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        Span<byte> number = stackalloc byte[16];
        hmac.AppendData(previous);
        consent.Person.TryWriteBytes(number);
        hmac.AppendData(number);
        Append(hmac, sequence);
        Append(hmac, consent.Activity);
        Append(hmac, (long)consent.Decision);
        Append(hmac, (long)consent.Method);
        Append(hmac, consent.Source);
        Append(hmac, consent.Notice);
        Append(hmac, consent.NoticeVersion);
        Append(hmac, consent.NoticeHash.Length);
        hmac.AppendData(consent.NoticeHash);
        Append(hmac, consent.At);
        Append(hmac, consent.ExpiresAt is null ? 0 : 1);
        Append(hmac, consent.ExpiresAt ?? 0);
        return hmac.GetHashAndReset();
    }

    private static void Append(IncrementalHash hmac, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        hmac.AppendData(bytes);
    }

    /// <summary>A length-prefixed text; <see langword="null"/> is length -1.</summary>
    private static void Append(IncrementalHash hmac, string? text)
    {
        if (text is null)
        {
            Append(hmac, -1);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        Append(hmac, bytes.Length);
        hmac.AppendData(bytes);
    }
}
