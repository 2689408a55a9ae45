using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Databunker.Core.Identity;
using Databunker.Core.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Databunker.Core.AspNetCore.Tests.Support;

/// <summary>
/// An ASP.NET Core app whose users are ASP.NET Core Identity users kept in the vault (Databunker.Core.Identity), on a
/// loopback port: either with the default Identity UI (Razor Pages) or with <c>MapIdentityApi</c>. Beside the vault it
/// has a database of its own, <c>app.db</c>, where it keeps what an application keeps of its users (an account row
/// keyed by the user's id, written when a signed-in user first makes a request), so that a scan can show what the
/// application's database holds after its users registered. Mails are kept in <see cref="Mail"/>, links decoded.
/// </summary>
public sealed partial class IdentityHost : IAsyncDisposable
{
    private IdentityHost(WebApplication app, Uri address, string folder, IdentityMail mail, CapturingLoggerProvider logs)
    {
        App = app;
        Address = address;
        Folder = folder;
        Mail = mail;
        Logs = logs;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    /// <summary>The folder holding <c>vault.db</c> (the vault) and <c>app.db</c> (the application's own database).</summary>
    public string Folder { get; }

    public string AppDatabase => Path.Combine(Folder, "app.db");

    public string VaultDatabase => Path.Combine(Folder, "vault.db");

    public IdentityMail Mail { get; }

    public CapturingLoggerProvider Logs { get; }

    public IPersonalDataVault Vault => App.Services.GetRequiredService<IPersonalDataVault>();

    /// <summary>Starts the app with the default Identity UI (<paramref name="api"/> false) or with <c>MapIdentityApi</c> (true).</summary>
    public static async Task<IdentityHost> StartAsync(bool api)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "identity", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var logs = new CapturingLoggerProvider();
        var mail = new IdentityMail();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // The default UI's stylesheet and scripts are static web assets of its package, served in Development.
            ApplicationName = typeof(IdentityHost).Assembly.GetName().Name,
            EnvironmentName = Environments.Development,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.WebHost.UseStaticWebAssets();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Identity", LogLevel.Trace);
        builder.Services.AddDatabunker()
            .UseSqlite($"Data Source={Path.Combine(folder, "vault.db")}")
            .UseMasterKey(RandomNumberGenerator.GetBytes(32));
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Identity.UI.Services.IEmailSender>(mail);
        builder.Services.AddSingleton<IEmailSender<DatabunkerUser>>(mail);
        if (api)
        {
            builder.Services.AddIdentityApiEndpoints<DatabunkerUser>(o => o.SignIn.RequireConfirmedAccount = true).AddDatabunkerStores();
        }
        else
        {
            builder.Services.AddDefaultIdentity<DatabunkerUser>(o => o.SignIn.RequireConfirmedAccount = true).AddDatabunkerStores();
            builder.Services.AddRazorPages();
        }

        var app = builder.Build();
        CreateAppDatabase(Path.Combine(folder, "app.db"));
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(async (context, next) =>
        {
            // The application's own record of a user: an account row keyed by the user's id (the person's token).
            if (context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id)
            {
                Execute(Path.Combine(folder, "app.db"), "INSERT OR IGNORE INTO accounts (user_id, plan) VALUES ($id, 'free')", id);
            }

            await next(context);
        });
        if (api)
        {
            app.MapIdentityApi<DatabunkerUser>();
            app.MapGet("/", () => Results.Content("<!doctype html><html lang=\"en\"><head><title>Shop</title></head><body><main><h1>Shop</h1></main></body></html>", "text/html"));
        }
        else
        {
            app.MapStaticAssets();
            app.MapRazorPages();
            app.MapGet("/", () => Results.Redirect("/Identity/Account/Manage"));
        }

        await app.StartAsync();
        await app.Services.GetRequiredService<IVaultAdministration>().InitializeAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new IdentityHost(app, address, folder, mail, logs);
    }

    /// <summary>Whether the vault's file or its write-ahead log holds <paramref name="text"/> in UTF-8.</summary>
    public bool VaultHolds(string text)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        return new[] { VaultDatabase, VaultDatabase + "-wal" }.Where(File.Exists).Any(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0);
    }

    /// <summary>How many rows the application's own accounts table holds.</summary>
    public long Accounts()
    {
        using var connection = new SqliteConnection($"Data Source={AppDatabase};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM accounts";
        return (long)command.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private static void CreateAppDatabase(string path) =>
        Execute(path, "CREATE TABLE IF NOT EXISTS accounts (user_id TEXT PRIMARY KEY, plan TEXT NOT NULL, joined TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)", null);

    private static void Execute(string path, string sql, string? id)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (id is not null)
        {
            command.Parameters.AddWithValue("$id", id);
        }

        command.ExecuteNonQuery();
    }

    /// <summary>The mails Identity sent: to whom, what for, and the link or code in them (HTML-decoded).</summary>
    public sealed partial class IdentityMail : Microsoft.AspNetCore.Identity.UI.Services.IEmailSender, IEmailSender<DatabunkerUser>
    {
        public ConcurrentQueue<(string To, string Subject, string Link)> Sent { get; } = new();

        public string LastLinkTo(string to) => Sent.Reverse().First(m => m.To == to).Link;

        public Task SendEmailAsync(string email, string subject, string htmlMessage)
        {
            var link = Href().Match(htmlMessage);
            Sent.Enqueue((email, subject, link.Success ? WebUtility.HtmlDecode(link.Groups[1].Value) : htmlMessage));
            return Task.CompletedTask;
        }

        public Task SendConfirmationLinkAsync(DatabunkerUser user, string email, string confirmationLink)
        {
            Sent.Enqueue((email, "Confirm your email", WebUtility.HtmlDecode(confirmationLink)));
            return Task.CompletedTask;
        }

        public Task SendPasswordResetLinkAsync(DatabunkerUser user, string email, string resetLink)
        {
            Sent.Enqueue((email, "Reset your password", WebUtility.HtmlDecode(resetLink)));
            return Task.CompletedTask;
        }

        public Task SendPasswordResetCodeAsync(DatabunkerUser user, string email, string resetCode)
        {
            Sent.Enqueue((email, "Reset your password", resetCode));
            return Task.CompletedTask;
        }

        [GeneratedRegex("href=['\"]([^'\"]+)['\"]")]
        private static partial Regex Href();
    }
}
