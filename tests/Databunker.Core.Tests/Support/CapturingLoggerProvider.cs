using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Databunker.Core.Tests.Support;

/// <summary>Keeps every log line (message and exception text) written through it, for leak checks.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Raised with each line as it is written, on the writer's thread.</summary>
    public event Action<string>? Written;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}";
            owner._lines.Enqueue(line);
            owner.Written?.Invoke(line);
        }
    }
}
