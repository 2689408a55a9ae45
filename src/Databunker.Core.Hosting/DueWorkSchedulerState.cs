namespace Databunker.Core.Hosting;

/// <summary>What the scheduler of this process last saw, for the health check.</summary>
internal sealed class DueWorkSchedulerState
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _lastSuccess;
    private int _failuresInARow;
    private string? _lastFailure;

    public (DateTimeOffset? LastSuccess, int FailuresInARow, string? LastFailure) Read()
    {
        lock (_gate)
        {
            return (_lastSuccess, _failuresInARow, _lastFailure);
        }
    }

    public void Succeeded(DateTimeOffset at)
    {
        lock (_gate)
        {
            _lastSuccess = at;
            _failuresInARow = 0;
            _lastFailure = null;
        }
    }

    public int Failed(Exception failure)
    {
        lock (_gate)
        {
            _lastFailure = failure.GetType().Name;
            return ++_failuresInARow;
        }
    }
}
