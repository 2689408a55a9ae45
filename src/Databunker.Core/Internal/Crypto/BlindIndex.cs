using System.Security.Cryptography;
using System.Text;

namespace Databunker.Core.Internal.Crypto;

/// <summary>
/// Keyed hashes of normalised values: <c>HMAC-SHA256(key, name ‖ 0x00 ‖ UTF-8 value)</c>. Without the
/// key, a copy of the database shows no identifier and cannot be searched by guessing.
/// </summary>
internal static class BlindIndex
{
    public const int HashSize = 32;

    public static byte[] Compute(ReadOnlySpan<byte> key, string name, string normalizedValue)
    {
        var nameLength = Encoding.ASCII.GetByteCount(name);
        var length = nameLength + 1 + Encoding.UTF8.GetByteCount(normalizedValue);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var input = rented.AsSpan(0, length);
            Encoding.ASCII.GetBytes(name, input);
            input[nameLength] = 0;
            Encoding.UTF8.GetBytes(normalizedValue, input[(nameLength + 1)..]);
            var hash = new byte[HashSize];
            HMACSHA256.HashData(key, input, hash);
            CryptographicOperations.ZeroMemory(input);
            return hash;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
