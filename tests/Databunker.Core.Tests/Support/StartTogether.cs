namespace Databunker.Core.Tests.Support;

/// <summary>Races: runs several pieces of work on the thread pool, held at one gate until all are queued.</summary>
public static class StartTogether
{
    /// <summary>Runs <paramref name="work"/> for 0 to <paramref name="count"/> - 1 at once; their results in that order.</summary>
    public static async Task<T[]> RunAsync<T>(int count, Func<int, Task<T>> work)
    {
        using var go = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(() =>
        {
            go.Wait();
            return work(i);
        })).ToList();
        go.Set();
        return await Task.WhenAll(tasks);
    }
}
