namespace Databunker.Core.Tokenization;

/// <summary>
/// Uniform random symbols (a digit, a letter) drawn from one buffer of cryptographic random bytes, refilled when
/// used up: one <see cref="RandomNumberGenerator.Fill(Span{byte})"/> per 64 bytes instead of one call per symbol.
/// Rejection sampling keeps every symbol equally likely: a byte at or above the largest multiple of the range
/// that fits in 256 is thrown away.
/// </summary>
internal ref struct RandomSymbols(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _next = buffer.Length;

    /// <summary>A uniform value from 0 to <paramref name="range"/> - 1; <paramref name="range"/> is 2 to 256.</summary>
    public int Next(int range)
    {
        var limit = 256 - (256 % range);
        while (true)
        {
            if (_next == _buffer.Length)
            {
                RandomNumberGenerator.Fill(_buffer);
                _next = 0;
            }

            var b = _buffer[_next++];
            if (b < limit)
            {
                return b % range;
            }
        }
    }
}
