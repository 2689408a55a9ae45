using System.Buffers.Binary;

namespace Databunker.Core.Kernel.Crypto;

/// <summary>
/// The ciphertext envelope: <c>format (1) | key id (4, big-endian) | nonce (12) | ciphertext | tag (16)</c>,
/// AES-256-GCM with a fresh random nonce per encryption. The header and the caller's associated data
/// are authenticated, so a ciphertext moved to another purpose, owner or field fails to open.
/// </summary>
internal static class Envelope
{
    public const byte FormatVersion = 1;
    public const int KeySize = 32;
    private const int HeaderSize = 1 + 4;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    public const int Overhead = HeaderSize + NonceSize + TagSize;

    public static byte[] Seal(ReadOnlySpan<byte> key, uint keyId, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        BlindIndex.RefuseZeroKey(key);
        var output = new byte[Overhead + plaintext.Length];
        var span = output.AsSpan();
        span[0] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], keyId);
        var nonce = span.Slice(HeaderSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var ciphertext = span.Slice(HeaderSize + NonceSize, plaintext.Length);
        var tag = span[^TagSize..];

        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, Bind(span[..HeaderSize], associatedData, out var rented));
        Return(rented);
        return output;
    }

    /// <summary>Opens an envelope; any failure (truncation, wrong format, tampering, wrong key or associated data) throws <see cref="VaultCryptoException"/>.</summary>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> associatedData, string what)
    {
        if (envelope.Length < Overhead || envelope[0] != FormatVersion)
        {
            throw new VaultCryptoException($"The stored {what} is not a valid ciphertext envelope.");
        }

        BlindIndex.RefuseZeroKey(key);
        var plaintext = new byte[envelope.Length - Overhead];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(
                envelope.Slice(HeaderSize, NonceSize),
                envelope.Slice(HeaderSize + NonceSize, plaintext.Length),
                envelope[^TagSize..],
                plaintext,
                Bind(envelope[..HeaderSize], associatedData, out var rented));
            Return(rented);
            return plaintext;
        }
        catch (CryptographicException ex)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new VaultCryptoException($"The stored {what} failed authentication: it was altered, moved, or its key is wrong.", ex);
        }
    }

    public static uint ReadKeyId(ReadOnlySpan<byte> envelope) =>
        envelope.Length < HeaderSize ? 0 : BinaryPrimitives.ReadUInt32BigEndian(envelope[1..]);

    private static ReadOnlySpan<byte> Bind(ReadOnlySpan<byte> header, ReadOnlySpan<byte> associatedData, out byte[]? rented)
    {
        var length = header.Length + associatedData.Length;
        rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        header.CopyTo(rented);
        associatedData.CopyTo(rented.AsSpan(header.Length));
        return rented.AsSpan(0, length);
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
