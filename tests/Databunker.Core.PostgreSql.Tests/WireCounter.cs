using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Databunker.Core.Tests.PostgreSql;

/// <summary>
/// A loopback TCP relay in front of the PostgreSQL server that counts round trips: a round trip begins each time a
/// client sends after the server last spoke on that connection (or first). Pipelined messages sent before any answer
/// are one round trip, whatever their number of TCP segments. It also counts the connections that carried them.
/// </summary>
internal sealed class WireCounter : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly Task _accepting;
    private readonly ConcurrentDictionary<Turn, bool> _used = new();
    private long _roundTrips;

    public WireCounter(string host, int port)
    {
        _server = new IPEndPoint(IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Round trips since the last <see cref="Reset"/>.</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>How many connections (server processes) carried the round trips since the last <see cref="Reset"/>.</summary>
    public int ConnectionsUsed => _used.Count;

    public void Reset()
    {
        _used.Clear();
        Interlocked.Exchange(ref _roundTrips, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        lock (_relays)
        {
            Task.WaitAll([.. _relays], TimeSpan.FromSeconds(5));
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var server = new TcpClient { NoDelay = true };
            await server.ConnectAsync(_server, _stop.Token);
            client.NoDelay = true;
            var turn = new Turn();
            lock (_relays)
            {
                _relays.Add(RelayAsync(client, server, turn));
            }
        }
    }

    private async Task RelayAsync(TcpClient client, TcpClient server, Turn turn)
    {
        using (client)
        using (server)
        {
            var up = PumpAsync(client.GetStream(), server.GetStream(), () =>
            {
                if (!turn.ClientSpeaks)
                {
                    turn.ClientSpeaks = true;
                    _used.TryAdd(turn, true);
                    Interlocked.Increment(ref _roundTrips);
                }
            });
            var down = PumpAsync(server.GetStream(), client.GetStream(), () => turn.ClientSpeaks = false);
            await Task.WhenAny(up, down);
        }
    }

    /// <summary>Copies until either side closes; <paramref name="onData"/> runs before each chunk is passed on.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, Action onData)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                onData();

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // A side closed, or the counter stops.
        }
    }

    /// <summary>Whose turn it is on one connection.</summary>
    private sealed class Turn
    {
        public volatile bool ClientSpeaks;
    }
}
