using System.Text;

namespace Databunker.Core.Kernel.Crypto;

/// <summary>
/// Keyed hashes of normalised values: <c>HMAC-SHA256(key, name ‖ 0x00 ‖ UTF-8 value)</c>. Without the
/// key, a copy of the database shows no identifier and cannot be searched by guessing.
/// </summary>
internal static class BlindIndex
{
    public const int HashSize = 32;

    public static byte[] Compute(ReadOnlySpan<byte> key, string name, string normalizedValue)
    {
        RefuseZeroKey(key);
        var nameLength = Encoding.ASCII.GetByteCount(name);
        var length = nameLength + 1 + Encoding.UTF8.GetByteCount(normalizedValue);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var input = rented.AsSpan(0, length);
            Encoding.ASCII.GetBytes(name, input);
            input[nameLength] = 0;
            Encoding.UTF8.GetBytes(normalizedValue, input[(nameLength + 1)..]);
            return HashAndClear(key, input);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// <c>HMAC-SHA256(key, name ‖ 0x00 ‖ for each field: length (4 bytes, big-endian) ‖ UTF-8 field)</c>:
    /// every field is length-prefixed, so no choice of field contents can make two different tuples
    /// hash alike (a separator byte inside a field could).
    /// </summary>
    public static byte[] ComputeFields(ReadOnlySpan<byte> key, string name, params ReadOnlySpan<string> fields)
    {
        RefuseZeroKey(key);
        var length = Encoding.ASCII.GetByteCount(name) + 1;
        foreach (var field in fields)
        {
            length += 4 + Encoding.UTF8.GetByteCount(field);
        }

        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var input = rented.AsSpan(0, length);
            var at = Encoding.ASCII.GetBytes(name, input);
            input[at++] = 0;
            foreach (var field in fields)
            {
                var written = Encoding.UTF8.GetBytes(field, input[(at + 4)..]);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input[at..], written);
                at += 4 + written;
            }

            return HashAndClear(key, input);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static byte[] HashAndClear(ReadOnlySpan<byte> key, Span<byte> input)
    {
        var hash = new byte[HashSize];
        HMACSHA256.HashData(key, input, hash);
        CryptographicOperations.ZeroMemory(input);
        return hash;
    }

    /// <summary>
    /// The backstop against a key that was zeroed or never filled: a keyed hash under 32 zero bytes is a
    /// hash anyone can compute.
    /// </summary>
    internal static void RefuseZeroKey(ReadOnlySpan<byte> key)
    {
        if (key.IndexOfAnyExcept((byte)0) < 0)
        {
            throw new VaultCryptoException("Refused to use a key of all zero bytes: the vault's keys were disposed or never loaded.");
        }
    }
}
