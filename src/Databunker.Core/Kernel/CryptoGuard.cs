namespace Databunker.Core.Kernel;

/// <summary>Logs a stored ciphertext's failed authentication (without any value) before the exception reaches the caller.</summary>
internal static class CryptoGuard
{
    /// <summary>Runs <paramref name="work"/>; a <see cref="VaultCryptoException"/> is logged as event 5 and thrown on.</summary>
    public static async Task<T> RunAsync<T>(ILogger logger, string operation, Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (VaultCryptoException ex)
        {
            Log.CryptoFailure(logger, operation, ex);
            throw;
        }
    }

    /// <summary>
    /// For an exception filter around an operation's own body: logs <paramref name="exception"/> as event 5 and returns
    /// false, so that it goes on to the caller untouched.
    /// </summary>
    public static bool Logged(ILogger logger, string operation, VaultCryptoException exception)
    {
        Log.CryptoFailure(logger, operation, exception);
        return false;
    }
}
