namespace Databunker.Core.Kernel;

/// <summary>
/// Forgets persons: one erasure transaction that the person store and every module's <see cref="IErasureStep"/>
/// add to, ended by the kernel (data key, tombstone, audit event). Compacts the storage afterwards when asked.
/// </summary>
internal sealed class PersonEraser(
    IVaultStore vault, IPersonStore persons, IEnumerable<IErasureStep> steps, IOptions<DatabunkerOptions> options, ILogger<PersonEraser>? logger = null)
{
    private readonly IErasureStep[] _steps = [.. steps];
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>
    /// Forgets <paramref name="person"/> with <paramref name="audit"/>, if <paramref name="condition"/> (checked inside
    /// the transaction) holds, and compacts afterwards when <paramref name="compactAfter"/> and the options ask for it. Returns whether the person was forgotten; nothing is written otherwise.
    /// </summary>
    public async Task<bool> ForgetAsync(Guid person, AuditRecord audit, Func<IErasureTransaction, Task<bool>>? condition, CancellationToken cancellationToken, bool compactAfter = true)
    {
        bool forgotten;
        var erasure = await vault.BeginErasureAsync(cancellationToken).ConfigureAwait(false);
        await using (erasure.ConfigureAwait(false))
        {
            if (condition is not null && !await condition(erasure).ConfigureAwait(false))
            {
                return false;
            }

            await persons.EnlistErasureAsync(erasure, person, cancellationToken).ConfigureAwait(false);
            foreach (var step in _steps)
            {
                await step.EnlistAsync(erasure, person, cancellationToken).ConfigureAwait(false);
            }

            forgotten = await erasure.CommitAsync(person, audit.At, audit, cancellationToken).ConfigureAwait(false);
        }

        if (forgotten)
        {
            Log.PersonForgotten(_logger, audit.Operation);
            if (compactAfter && options.Value.CompactAfterForget)
            {
                await CompactAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return forgotten;
    }

    /// <summary>
    /// Compacts a storage that can (<see cref="IVaultStore.CanCompact"/>); one that readers kept from finishing is
    /// logged as a warning, never passed over in silence. <see langword="true"/> when there is nothing to compact.
    /// </summary>
    public async Task<bool> CompactAsync(CancellationToken cancellationToken)
    {
        if (!vault.CanCompact)
        {
            return true;
        }

        var done = await vault.CompactAsync(cancellationToken).ConfigureAwait(false);
        if (!done)
        {
            Log.CompactionIncomplete(_logger, 1);
        }

        return done;
    }
}
