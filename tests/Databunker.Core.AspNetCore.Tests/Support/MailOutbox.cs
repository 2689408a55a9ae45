using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>A host's mail sender that keeps what it is given, or fails as a mail server would.</summary>
public sealed class MailOutbox : IDatabunkerMailSender
{
    private readonly Channel<DatabunkerMail> _arrived = Channel.CreateUnbounded<DatabunkerMail>();

    /// <summary>Every mail sent, in order.</summary>
    public ConcurrentQueue<DatabunkerMail> Sent { get; } = new();

    /// <summary>While set, a send throws it.</summary>
    public Exception? Failure { get; set; }

    public Task SendAsync(DatabunkerMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        if (Failure is { } failure)
        {
            throw failure;
        }

        Sent.Enqueue(mail);
        _arrived.Writer.TryWrite(mail);
        return Task.CompletedTask;
    }

    /// <summary>The next mail sent, once it is (some go out after the request that caused them).</summary>
    public async Task<DatabunkerMail> NextAsync() => await _arrived.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
}
