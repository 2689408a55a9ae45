using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// Counts the portal's code requests in fixed windows of <see cref="PortalCodeRequestLimits.Window"/> on the host's clock:
/// per address asked for (whether or not it has an account, so a refusal tells nothing; spellings of one mailbox count
/// together), per client network (an IPv4 address, an IPv6 /64) and overall.
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
    public (string? Limit, TimeSpan RetryAfter) TryAcquire(string email, System.Net.IPAddress? client)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var length = Math.Max(1, (long)limits.Window.TotalMilliseconds);
        var window = now / length;
        var retryAfter = TimeSpan.FromMilliseconds(((window + 1) * length) - now);
        var address = "a:" + Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(Spelling(email))));
        var from = "c:" + Network(client);
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

    /// <summary>
    /// One spelling per mailbox, near enough to the vault's own normalisation that its variants share a count: compatibility
    /// forms folded (full-width letters), lower case, and the domain in its ASCII form (UTS #46 maps the ideographic full
    /// stop and other dots). Text that is no address is counted as typed.
    /// </summary>
    private static string Spelling(string email)
    {
        var folded = email.Trim().Normalize(NormalizationForm.FormKC).ToLower(CultureInfo.InvariantCulture);
        var at = folded.LastIndexOf('@');
        if (at <= 0 || at == folded.Length - 1)
        {
            return folded;
        }

        try
        {
            return string.Concat(folded.AsSpan(0, at + 1), new IdnMapping().GetAscii(folded[(at + 1)..]));
        }
        catch (ArgumentException)
        {
            return folded;
        }
    }

    /// <summary>The client's network: its IPv4 address, or the /64 of an IPv6 address (a host hands out a whole /64, and its addresses rotate).</summary>
    private static string Network(System.Net.IPAddress? client)
    {
        if (client is null)
        {
            return "unknown";
        }

        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        if (client.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return client.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        client.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new System.Net.IPAddress(bytes).ToString() + "/64";
    }
}
