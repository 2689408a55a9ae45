using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>
/// The web sample (samples/Databunker.Samples.Web), built with the tests, run as its own process on a free loopback port,
/// as a person runs it with <c>dotnet run</c>; stopped (killed with its children) when disposed. With
/// <c>DATABUNKER_WEB_SAMPLE</c> set to an executable (the sample published with native AOT, as CI does), that runs instead.
/// </summary>
public sealed class SampleShop : IDisposable
{
    private readonly Process _process;

    private SampleShop(Process process, Uri address, LoopbackSmtp mail, string dataFolder)
    {
        _process = process;
        Address = address;
        Mail = mail;
        DataFolder = dataFolder;
    }

    public Uri Address { get; }

    /// <summary>Where the sample keeps its vault, its key and the DPO's password.</summary>
    public string DataFolder { get; }

    /// <summary>The password of the sample's DPO account, made on its first run.</summary>
    public string DpoPassword => File.ReadAllText(Path.Combine(DataFolder, "dpo-password")).Trim();

    /// <summary>The SMTP server on loopback that the sample sends its mails to.</summary>
    public LoopbackSmtp Mail { get; }

    /// <summary>Starts the sample with its vault and key in <paramref name="dataFolder"/>, or in a new folder of the test run.</summary>
    public static async Task<SampleShop> StartAsync(string? dataFolder = null)
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
        var native = Environment.GetEnvironmentVariable("DATABUNKER_WEB_SAMPLE");
        var program = native is { Length: > 0 } ? Path.GetFullPath(native) : dll;
        File.Exists(program).Should().BeTrue($"the sample is built with the tests, or published where DATABUNKER_WEB_SAMPLE says ({program})");
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(program == dll ? "dotnet" : program, program == dll ? [dll] : [])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(program)!,
        };
        start.Environment["Shop__Address"] = address.ToString();
        dataFolder ??= Path.Combine(TestContext.CurrentContext.WorkDirectory, "shops", Guid.NewGuid().ToString("N"));
        start.Environment["Shop__DataFolder"] = dataFolder;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["LANG"] = "C.UTF-8";   // the same UI culture on every machine: none the shop's pages offer
        start.Environment.Remove("LC_ALL");
        var mail = new LoopbackSmtp();
        start.Environment["Shop__Smtp__Host"] = "127.0.0.1";
        start.Environment["Shop__Smtp__Port"] = mail.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
            mail.Dispose();
            throw;
        }

        return new SampleShop(process, address, mail, dataFolder);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        Mail.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
