using System.Diagnostics;

namespace Databunker.Core.Diagnostics;

/// <summary>
/// One public operation under way: its span (made current for the work the operation starts) and its start time.
/// The instrumented services call the implementation inside it and hand the returned task to
/// <see cref="Watch{T}(Task{T})"/>, which gives the caller back its own current span at once and records the
/// operation when the task ends.
/// </summary>
internal sealed class OperationScope(DatabunkerTelemetry telemetry, string operation, Activity? activity, Activity? previous, long started)
{
    public Task<T> Watch<T>(Task<T> task)
    {
        Detach();
        if (task.IsCompleted)
        {
            telemetry.End(operation, activity, started, Failure(task));
            return task;
        }

        return WatchAsync(task);
    }

    public Task Watch(Task task)
    {
        Detach();
        if (task.IsCompleted)
        {
            telemetry.End(operation, activity, started, Failure(task));
            return task;
        }

        return WatchAsync(task);
    }

    /// <summary>The implementation threw before it returned a task.</summary>
    public void Fail(Exception failure)
    {
        Detach();
        telemetry.End(operation, activity, started, failure);
    }

    private static Exception? Failure(Task task) =>
        task.IsCanceled ? new OperationCanceledException() : task.Exception?.InnerException;

    /// <summary>The caller continues under its own span; the operation's span lives on in the work it started.</summary>
    private void Detach()
    {
        if (activity is not null && Activity.Current == activity)
        {
            Activity.Current = previous;
        }
    }

    private async Task<T> WatchAsync<T>(Task<T> task)
    {
        try
        {
            var result = await task.ConfigureAwait(false);
            telemetry.End(operation, activity, started, null);
            return result;
        }
        catch (Exception ex)
        {
            telemetry.End(operation, activity, started, ex);
            throw;
        }
    }

    private async Task WatchAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
            telemetry.End(operation, activity, started, null);
        }
        catch (Exception ex)
        {
            telemetry.End(operation, activity, started, ex);
            throw;
        }
    }
}
