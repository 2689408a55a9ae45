namespace Databunker.Core.Kernel;

/// <summary>
/// A module's part of opening the vault: run once the storage is migrated and the system keys are loaded, before the
/// vault counts as open (a failure fails this open, and the next call runs it again). The consent ledger links the
/// decisions recorded before its chain.
/// </summary>
internal interface IOpenStep
{
    Task RunAsync(CancellationToken cancellationToken);
}
