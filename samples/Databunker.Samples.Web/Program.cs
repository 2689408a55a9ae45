// A small shop on Databunker.Core: sign up, sign in with the ticket kept in the vault (cookie sessions), the privacy
// portal in English and German, the vault's mails (the expiration's two links, request receipts) sent through MailKit
// (ShopMail.cs), the DPO console and API behind a policy, the scheduler that forgets whoever did not answer, and a health check at /health.
// Run: dotnet run --project samples/Databunker.Samples.Web, then open http://localhost:5080/.
// The sign-in asks only for an email address: it is a sample of the vault, not of passwords, and the page says so.
// Shop:Address (or the environment variable Shop__Address) moves it to another address, as the tests do; Shop:Smtp:Host
// and :Port name an SMTP server for the mails (without one, they are written to the outbox folder in the data folder).
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Databunker.Core;
using Databunker.Core.AspNetCore;
using Databunker.Core.Expiration;
using Databunker.Core.Privacy;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

var builder = WebApplication.CreateBuilder(args);
var Address = (builder.Configuration["Shop:Address"] ?? "http://localhost:5080").TrimEnd('/');
builder.WebHost.UseUrls(Address);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

// The vault, from the "Databunker" section of appsettings.json (the privacy catalog is there too) through the hosting
// package: a SQLite file and a master key file in the shop's data folder (Shop:DataFolder, default shop-data beside the
// program), kept from run to run. The key is made on the first run, readable by its owner only; a real host keeps it
// in a secret store (MasterKey:Base64 or :EnvironmentVariable) and never beside the database.
var data = Path.GetFullPath(builder.Configuration["Shop:DataFolder"] ?? Path.Combine(AppContext.BaseDirectory, "shop-data"));
var keyFile = Path.Combine(data, "master.key");
if (!File.Exists(keyFile))
{
    Directory.CreateDirectory(data);
    var owner = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
    if (!OperatingSystem.IsWindows())
    {
        owner.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    }

    using var key = new FileStream(keyFile, owner);
    key.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
}

// The DPO's account has a password, unlike the shop's demonstration accounts: the console shows and deletes anyone's
// data. It is made on the first run, readable by its owner only, beside the key (Shop:DataFolder/dpo-password); a real
// shop signs its DPO in with its own identity provider and a second factor.
var dpoPasswordFile = Path.Combine(data, "dpo-password");
if (!File.Exists(dpoPasswordFile))
{
    var owner = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
    if (!OperatingSystem.IsWindows())
    {
        owner.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    }

    using var file = new FileStream(dpoPasswordFile, owner);
    file.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))));
}

var dpoPasswordText = File.ReadAllText(dpoPasswordFile).Trim();
var dpoPassword = System.Text.Encoding.UTF8.GetBytes(dpoPasswordText);
if (dpoPasswordText.Length < 16)
{
    // A file left empty by a crash between its creation and its write would let anyone in with an empty password.
    throw new InvalidOperationException($"The DPO's password in {dpoPasswordFile} is shorter than 16 characters: delete the file, and the next start makes a new one.");
}

builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Databunker:Storage:ConnectionString"] = $"Data Source={Path.Combine(data, "vault.db")}",
    ["Databunker:MasterKey:File"] = keyFile,
    ["Databunker:Expiration:LinkBaseAddress"] = Address + "/privacy/",
    ["Shop:DataFolder"] = data,
});
builder.Services.AddDatabunker(builder.Configuration.GetSection("Databunker")).AddScheduler();
builder.Services.AddHealthChecks().AddDatabunker();

// The vault's mails, written by the package in the person's language and sent by the shop's ShopMail.
builder.Services.AddSingleton<IDatabunkerMailSender, Databunker.Samples.Web.ShopMail>();
builder.Services.AddDatabunkerMail(o =>
{
    o.PortalAddress = new Uri(Address + "/privacy/portal/");
    o.DpoAddress = "dpo@shop.example";
});

// The portal's look and words: the shop's name, its colour, English and German; the history names the shop's own
// writes (the vault's default actor is the sample's assembly name) as the shop.
builder.Services.Configure<DatabunkerPageOptions>(o =>
{
    o.Brand.ProductName = "Example Shop";
    o.Brand.AccentColor = "#0f766e";
    o.Languages.Clear();
    o.Languages.Add("en");
    o.Languages.Add("de");
    o.ActorNames[typeof(Program).Assembly.GetName().Name!] = "Example Shop";
});

builder.Services.AddAntiforgery();
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o => (o.LoginPath, o.AccessDeniedPath) = ("/signin", "/dpo/signin"));
builder.Services.AddDatabunkerCookieSessions();
builder.Services.AddAuthorization(o => o.AddPolicy("dpo", p => p.RequireRole("dpo")));

var app = builder.Build();

// The shop's own pages send the headers the package's pages send: no caching, no referrer, no framing, no script.
app.Use((context, next) =>
{
    var headers = context.Response.Headers;
    headers.CacheControl = "no-cache, no-store";
    headers.Pragma = "no-cache";
    headers["Referrer-Policy"] = "no-referrer";
    headers["X-Robots-Tag"] = "noindex, nofollow";
    headers.XContentTypeOptions = "nosniff";
    headers.XFrameOptions = "DENY";
    headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    return next(context);
});
// The shop's own calls (the sign-up that starts an expiration and mails it) in the visitor's language where the pages
// offer it: the vault's mails follow the caller's UI culture when the profile names no language.
app.UseRequestLocalization(o => o.SetDefaultCulture("en").AddSupportedCultures("en", "de").AddSupportedUICultures("en", "de"));
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();   // for the sample's own [FromForm] endpoints; the Databunker pages check their tokens themselves

app.MapDatabunkerExpirationLinks();
// The portal shows and deletes everything the shop holds about a person, so it does not trust the shop's demonstration
// sign-in below: it signs people in itself, with a one-time code it mails them. A new address is checked by the shop
// (a rectification request) before it can sign in.
app.MapDatabunkerPrivacyPortal("/privacy/portal", o =>
{
    o.CorrectableFields.Add("name");
    o.CorrectableFields.Add("email");
    o.FieldsCheckedFirst.Add("email");
});
app.MapDatabunkerAdminApi("dpo");
// The DPO console: the request queue, lookups with a stated reason, the catalogue, consents and operations, for the DPO only.
app.MapDatabunkerDpoConsole("dpo");
app.MapHealthChecks("/health");

const string Demonstration = "<p><strong>A demonstration:</strong> this shop signs you in by your email address alone, without a password. A real shop signs people in properly.</p>";

app.MapGet("/", (HttpContext context, IAntiforgery antiforgery) => context.User.Identity?.IsAuthenticated == true
    ? Page(200, $"<p>Signed in as {Encode(context.User.Identity!.Name!)}.</p><p><a href=\"/privacy/portal/\">Your privacy portal</a></p>" + Form(context, antiforgery, "/signout", string.Empty, "Sign out"))
    : SignUpPage(context, antiforgery, 200, null));

app.MapGet("/signin", (HttpContext context, IAntiforgery antiforgery) => SignInPage(context, antiforgery, 200, null));

app.MapPost("/signup", async (HttpContext context, IAntiforgery antiforgery, IPersonalDataVault vault, IExpirationManager expirations, ILogger<Program> logger,
    [Microsoft.AspNetCore.Mvc.FromForm] string email, [Microsoft.AspNetCore.Mvc.FromForm] string name) =>
{
    Guid person;
    try
    {
        person = await vault.CreatePersonAsync(JsonDocument.Parse(new System.Text.Json.Nodes.JsonObject { ["email"] = email, ["name"] = name }.ToJsonString()).RootElement);
    }
    catch (DuplicateIndexException)
    {
        return SignUpPage(context, antiforgery, 409, "An account with this email address exists already. Sign in instead.");
    }
    catch (VaultInputException)
    {
        return SignUpPage(context, antiforgery, 400, "That is not an email address we can use. Check it and try again.");
    }

    // Data minimisation: the account expires in 30 days unless the person keeps it; the package mails both links. When
    // the mail cannot go, no expiration starts: the account is not kept without one, and the person may try again.
    try
    {
        await expirations.StartAsync(PersonLookup.ByToken(person), ExpirationTime.FromDelay(TimeSpan.FromDays(30)));
    }
    catch (Exception e)
    {
        // Whatever went wrong (a mail client's timeout is a cancellation too): the type only, since a mail server's
        // message may hold the address.
        logger.LogWarning("The sign-up mail could not be sent ({Exception}); the account is not kept.", e.GetType().Name);
        try
        {
            await vault.ForgetPersonAsync(PersonLookup.ByToken(person));
        }
        catch (Exception forget)
        {
            logger.LogError("An account whose sign-up mail failed could not be forgotten ({Exception}).", forget.GetType().Name);
        }

        return SignUpPage(context, antiforgery, 503, "We could not send you our mail just now, so we did not keep your account. Try again in a while.");
    }

    await SignInAsync(context, person, name, dpo: false);
    return Results.Redirect("/");
});

app.MapPost("/signin", async (HttpContext context, IAntiforgery antiforgery, IPersonalDataVault vault, [Microsoft.AspNetCore.Mvc.FromForm] string email) =>
{
    if (string.Equals(email, "dpo@shop.example", StringComparison.OrdinalIgnoreCase))
    {
        return DpoSignInPage(context, antiforgery, 200, null);
    }

    PersonRecord? user;
    try
    {
        // Privacy:RequirePurpose is on: every read names its purpose, and gets only that purpose's fields.
        user = await vault.ForPurpose("account").GetPersonAsync(PersonLookup.ByEmail(email));
    }
    catch (VaultInputException)
    {
        return SignInPage(context, antiforgery, 400, "That is not an email address. Check it and try again.");
    }

    if (user is null)
    {
        return SignInPage(context, antiforgery, 400, "We know no account with that email address. Sign up first.");
    }

    await SignInAsync(context, user.Token, user.Profile.TryGetProperty("name", out var name) ? name.GetString() ?? email : email, dpo: false);
    return Results.Redirect("/");
});

app.MapGet("/dpo/signin", (HttpContext context, IAntiforgery antiforgery) => DpoSignInPage(context, antiforgery, 200, null));

app.MapPost("/dpo/signin", async (HttpContext context, IAntiforgery antiforgery, [Microsoft.AspNetCore.Mvc.FromForm] string password) =>
{
    if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(password), dpoPassword))
    {
        return DpoSignInPage(context, antiforgery, 400, "That is not the DPO's password.");
    }

    await SignInAsync(context, Guid.Empty, "dpo@shop.example", dpo: true);
    return Results.Redirect("/databunker/dpo/");
});

app.MapPost("/signout", async (HttpContext context) =>
{
    await context.SignOutAsync();
    return Results.Redirect("/");
});

Console.WriteLine($"The shop listens on {Address}/ (its vault and key are in {data}). The DPO console is at {Address}/databunker/dpo/: sign in as dpo@shop.example with the password in {dpoPasswordFile}.");
// The hosting package opens the vault as the host starts; the catalog's notices are published once it is open.
await app.StartAsync();
await app.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
await app.WaitForShutdownAsync();

static Task SignInAsync(HttpContext context, Guid person, string name, bool dpo)
{
    var claims = new List<Claim> { new(ClaimTypes.Name, name) };
    if (person != Guid.Empty)
    {
        claims.Add(new Claim(ClaimTypes.NameIdentifier, person.ToString()));
    }

    if (dpo)
    {
        claims.Add(new Claim(ClaimTypes.Role, "dpo"));
    }

    return context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
}

static string Encode(string value) => HtmlEncoder.Default.Encode(value);

static string Form(HttpContext context, IAntiforgery antiforgery, string action, string fields, string button)
{
    var tokens = antiforgery.GetAndStoreTokens(context);
    return $"<form method=\"post\" action=\"{action}\">{fields}<input type=\"hidden\" name=\"{tokens.FormFieldName}\" value=\"{tokens.RequestToken}\"> <button>{Encode(button)}</button></form>";
}

static IResult SignUpPage(HttpContext context, IAntiforgery antiforgery, int status, string? error) => Page(status, "<h2>Sign up</h2>" + Error(error) +
    Form(context, antiforgery, "/signup", "<label>Email <input type=\"email\" name=\"email\" required></label> <label>Name <input name=\"name\" required></label>", "Sign up") +
    "<p>Already have an account? <a href=\"/signin\">Sign in</a>.</p>" + Demonstration);

static IResult SignInPage(HttpContext context, IAntiforgery antiforgery, int status, string? error) => Page(status, "<h2>Sign in</h2>" + Error(error) +
    Form(context, antiforgery, "/signin", "<label>Email <input type=\"email\" name=\"email\" required></label>", "Sign in") + Demonstration);

static IResult DpoSignInPage(HttpContext context, IAntiforgery antiforgery, int status, string? error) => Page(status, "<h2>Sign in as the DPO</h2>" + Error(error) +
    Form(context, antiforgery, "/dpo/signin", "<label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>", "Sign in"));

static string Error(string? error) => error is null ? string.Empty : $"<p role=\"alert\">{Encode(error)}</p>";

static IResult Page(int status, string body) =>
    Results.Content($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Example Shop</title></head><body><h1>Example Shop</h1>{body}</body></html>", "text/html; charset=utf-8", statusCode: status);
