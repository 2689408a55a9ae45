namespace Databunker.Core.Kernel.Crypto;

/// <summary>
/// Keeps secrets alive for as long as any operation holds them: <see cref="TryEnter"/> and <see cref="Exit"/>
/// bracket every use, and <see cref="Dispose"/> refuses new entries at once but zeroes the secrets only
/// when the last holder has left. So a shutdown never pulls a key from under a call in flight (which
/// would otherwise seal data under an all-zero key), and every call after it is refused.
/// </summary>
internal sealed class SecretLifetime : IDisposable
{
    private const int DisposedBit = 1;
    private const int HolderStep = 2;
    private readonly Func<IEnumerable<byte[]>> _secrets;
    private int _state;
    private int _zeroed;

    /// <param name="secrets">The buffers to zero once disposed and free; read when that happens.</param>
    public SecretLifetime(Func<IEnumerable<byte[]>> secrets) => _secrets = secrets;

    public bool IsDisposed => (Volatile.Read(ref _state) & DisposedBit) != 0;

    /// <summary>Registers a holder; <see langword="false"/> once disposed.</summary>
    public bool TryEnter()
    {
        var state = Volatile.Read(ref _state);
        while ((state & DisposedBit) == 0)
        {
            var seen = Interlocked.CompareExchange(ref _state, state + HolderStep, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }

        return false;
    }

    /// <summary>Registers a holder or throws <see cref="ObjectDisposedException"/> naming <paramref name="owner"/>.</summary>
    public void Enter(object owner)
    {
        if (!TryEnter())
        {
            throw new ObjectDisposedException(owner.GetType().Name, "The vault was disposed: its keys are gone and it takes no more calls.");
        }
    }

    /// <summary>Releases a holder; the last one out after <see cref="Dispose"/> zeroes the secrets.</summary>
    public void Exit()
    {
        if (Interlocked.Add(ref _state, -HolderStep) == DisposedBit)
        {
            Zero();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Or(ref _state, DisposedBit) == 0)
        {
            Zero();
        }
    }

    private void Zero()
    {
        if (Interlocked.Exchange(ref _zeroed, 1) == 0)
        {
            foreach (var secret in _secrets())
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }
    }
}
