using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>
/// The web sample (samples/Databunker.Samples.Web), built with the tests, run as its own process on a free loopback port,
/// as a person runs it with <c>dotnet run</c>; stopped (killed with its children) when disposed.
/// </summary>
public sealed class SampleShop : IDisposable
{
    private readonly Process _process;

    private SampleShop(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<SampleShop> StartAsync()
    {
        // The sample is built beside the tests, in the same configuration: bin/<Configuration>/net10.0.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Databunker.Core.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root!.FullName, "samples", "Databunker.Samples.Web", "bin", configuration, output.Name, "Databunker.Samples.Web.dll");
        File.Exists(dll).Should().BeTrue($"the sample is built with the tests ({dll})");
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["Shop__Address"] = address.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            // Written by the host once Kestrel listens.
            if (e.Data?.Contains("Now listening on:", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }

        return new SampleShop(process, address);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
