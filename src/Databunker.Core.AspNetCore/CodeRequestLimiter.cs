using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// Counts the portal's code requests in fixed windows of <see cref="PortalCodeRequestLimits.Window"/> on the host's clock:
/// per address asked for (whether or not it has an account, so a refusal tells nothing), per client address and overall.
/// A request is let through only when all three counts are under their limits, and only then counted, so that refused
/// requests create no session and send nothing. Addresses are kept as keyed hashes under a key of this process, never as
/// text, and every count is dropped when its window ends.
/// </summary>
internal sealed class CodeRequestLimiter(TimeProvider time, PortalCodeRequestLimits limits)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private long _window = -1;
    private int _overall;

    /// <summary>Whether a code may be requested for <paramref name="email"/> by <paramref name="client"/>; if not, which limit was reached and when the window ends.</summary>
    public (string? Limit, TimeSpan RetryAfter) TryAcquire(string email, string? client)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var length = Math.Max(1, (long)limits.Window.TotalMilliseconds);
        var window = now / length;
        var retryAfter = TimeSpan.FromMilliseconds(((window + 1) * length) - now);
        var address = "a:" + Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(email.Trim().ToLower(CultureInfo.InvariantCulture))));
        var from = "c:" + (client ?? "unknown");
        lock (_counts)
        {
            if (window != _window)
            {
                _window = window;
                _counts.Clear();
                _overall = 0;
            }

            var limit = Reached(_overall, limits.Overall) ? "overall"
                : Reached(_counts.GetValueOrDefault(from), limits.PerClient) ? "per-client"
                : Reached(_counts.GetValueOrDefault(address), limits.PerAddress) ? "per-address"
                : null;
            if (limit is not null)
            {
                return (limit, retryAfter);
            }

            _overall++;
            _counts[from] = _counts.GetValueOrDefault(from) + 1;
            _counts[address] = _counts.GetValueOrDefault(address) + 1;
            return (null, retryAfter);
        }
    }

    private static bool Reached(int count, int limit) => limit > 0 && count >= limit;
}
