using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>An SMTP server on a free loopback port (the SmtpServer package) that keeps every message it is given, parsed by MimeKit.</summary>
public sealed class LoopbackSmtp : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<MimeMessage> _arrived = Channel.CreateUnbounded<MimeMessage>();
    private readonly Task _running;

    public LoopbackSmtp()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_arrived.Writer));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>The next message that arrives after those already taken.</summary>
    public async Task<MimeMessage> NextAsync() => await _arrived.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>The next message whose subject is <paramref name="subject"/>, skipping others.</summary>
    public async Task<MimeMessage> NextAsync(string subject)
    {
        while (true)
        {
            var message = await NextAsync();
            if (message.Subject == subject)
            {
                return message;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _running.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OperationCanceledException))
        {
        }

        _stop.Dispose();
    }

    private sealed class Store(ChannelWriter<MimeMessage> arrived) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            arrived.TryWrite(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
