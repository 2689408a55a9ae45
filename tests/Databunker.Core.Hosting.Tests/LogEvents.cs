using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Databunker.Core.Tests.Hosting;

/// <summary>
/// Every log event of a host, kept in order, with a wait for the next one of an id: how a test knows, without
/// sleeping (by the event's name, which the library's generated log methods set), that the scheduler finished a pass.
/// </summary>
public sealed class LogEvents : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Name, LogLevel Level, string Text)> _events = new();
    private readonly Lock _gate = new();
    private readonly List<(string Name, int After, TaskCompletionSource<string> Done)> _waiters = [];

    public IReadOnlyCollection<(string Name, LogLevel Level, string Text)> All => _events;

    public int Count(string name) => _events.Count(e => e.Name == name);

    /// <summary>Waits until more than <paramref name="after"/> events named <paramref name="name"/> were logged; fails after 30 s of real time.</summary>
    public async Task<string> WaitAsync(string name, int after)
    {
        TaskCompletionSource<string> done;
        lock (_gate)
        {
            var seen = _events.Where(e => e.Name == name).ToList();
            if (seen.Count > after)
            {
                return seen[after].Text;
            }

            done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((name, after, done));
        }

        return await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string name, LogLevel level, string text)
    {
        lock (_gate)
        {
            _events.Enqueue((name, level, text));
            var count = _events.Count(e => e.Name == name);
            foreach (var waiter in _waiters.Where(w => w.Name == name && count > w.After).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(text);
            }
        }
    }

    private sealed class Logger(LogEvents owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), logLevel, $"{category}: {formatter(state, exception)} {exception}");
    }
}
