// Databunker.Core sample: data minimisation with expiration links, end to end.
// Registers the vault on a real SQLite file, creates five persons, starts their expirations, prints the
// mail each would get, lets one keep their data, one delete it through the link, cancels one, lets the
// rest fall due, runs the scheduler pass, and prints the status table before and after and the audit trail.
using System.Security.Cryptography;
using System.Text.Json;
using Databunker.Core;
using Databunker.Core.Expiration;
using Databunker.Core.Keys;
using Databunker.Samples.Expiration;
using Microsoft.Extensions.DependencyInjection;

var folder = Path.Combine(Path.GetTempPath(), "databunker-sample-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(folder);
var databasePath = Path.Combine(folder, "vault.db");
var clock = new SimulatedClock(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

var services = new ServiceCollection();
services.AddSingleton<TimeProvider>(clock);
services.AddDatabunker(options =>
    {
        options.DefaultActor = "sample-app";
        options.Expiration.LinkBaseAddress = new Uri("https://shop.example/privacy/");
        options.Expiration.DefaultRetention = TimeSpan.FromDays(30);
        // Reads' audit events are committed before the read returns, so that the trail printed below lists every
        // event in the order it happened (by default they join a batch committed a moment later, for speed).
        options.ReadAuditWindow = 0;
        // Data minimisation (GDPR Art. 5(1)(c)): the one purpose here declares the fields it uses; every read names it,
        // and a field it does not declare is refused at collection.
        options.Privacy.Activities.Add(new Databunker.Core.Privacy.ProcessingActivity
        {
            Name = "account",
            Purpose = "Keeping your customer account",
            LegalBasis = Databunker.Core.Privacy.LegalBasis.Contract,
            Fields = [new() { Path = "/email" }, new() { Path = "/phone" }, new() { Path = "/name" }, new() { Path = "/newsletter" }],
        });
        options.Privacy.RequirePurpose = true;
        options.Privacy.CollectionLimit = Databunker.Core.Privacy.CollectionLimit.Refuse;
    })
    .UseSqlite($"Data Source={databasePath}")
    // A real host keeps the key outside the code: UseMasterKeyFromEnvironment() or UseMasterKeyFromFile(path).
    .UseMasterKey(RandomNumberGenerator.GetBytes(32));

await using var provider = services.BuildServiceProvider();
var vault = provider.GetRequiredService<IPersonalDataVault>();
var account = vault.ForPurpose("account");
var expirations = provider.GetRequiredService<IExpirationManager>();
await provider.GetRequiredService<IVaultAdministration>().InitializeAsync();

Console.WriteLine($"Vault: {databasePath}");
Console.WriteLine();

string[] names = ["Alice", "Bob", "Carol", "Dan", "Eve"];
var people = new List<(string Name, Guid Token, ExpirationTicket Ticket)>();
for (var i = 0; i < names.Length; i++)
{
    var name = names[i];
    var email = $"{name.ToLowerInvariant()}@example.com";
    var phone = $"+44 (0) 20 7946 09{i:D2}"; // UK drama numbers, written the British way with the trunk (0)
    // A profile is any JSON object; parsed here (not serialised from an object) so that the sample also runs as native AOT.
    using var profile = JsonDocument.Parse($$"""{"email": "{{email}}", "phone": "{{phone}}", "name": "{{name}}", "newsletter": true}""");
    var token = await vault.CreatePersonAsync(profile.RootElement);
    var ticket = await expirations.StartAsync(PersonLookup.ByEmail(email), ExpirationTime.Parse("30d"));
    people.Add((name, token, ticket));
}

// Lookups normalise what they are given: the same number dialled from abroad finds Carol.
var carol = await account.GetPersonAsync(PersonLookup.ByPhone("0044 20 7946 0902"));
Console.WriteLine($"Found by phone 0044 20 7946 0902: {carol?.Profile.GetProperty("name").GetString()}");
Console.WriteLine();

Console.WriteLine("== Mail sent to each person ==");
foreach (var (name, _, ticket) in people)
{
    Console.WriteLine($"To: {name.ToLowerInvariant()}@example.com");
    Console.WriteLine($"  Hello {name}, we will delete your account data on {ticket.DueAt:yyyy-MM-dd HH:mm} UTC unless you tell us to keep it.");
    Console.WriteLine($"  Keep my data:   {ticket.RetainUrl}");
    Console.WriteLine($"  Delete my data: {ticket.DeleteUrl}");
}

Console.WriteLine();
await PrintStatusTable("== Status before ==");

// The links need no login. Mail scanners fetch every link in a mail, so the host's GET handler only
// renders a confirmation page from InspectLinkAsync (which changes nothing), and the page's POST button
// calls RetainAsync or DeleteAsync with the last path segment (the pattern of RFC 8058).
var alice = people[0];
var bob = people[1];
var eve = people[4];
Console.WriteLine("== Clicks and actions ==");
var page = await expirations.InspectLinkAsync(LastSegment(bob.Ticket.DeleteUrl!));
Console.WriteLine($"A mail scanner fetches Bob's delete link: the page says '{page!.Action}, due {page.DueAt:yyyy-MM-dd}', nothing changes");
Console.WriteLine($"Alice clicks 'keep':     {await expirations.RetainAsync(LastSegment(alice.Ticket.RetainUrl!))}");
Console.WriteLine($"Bob clicks 'delete':     {await expirations.DeleteAsync(LastSegment(bob.Ticket.DeleteUrl!))}");
Console.WriteLine($"Bob clicks 'delete' again: {await expirations.DeleteAsync(LastSegment(bob.Ticket.DeleteUrl!))} (links are single-use)");
Console.WriteLine($"The shop cancels Eve's expiration (she placed an order): {await expirations.CancelAsync(PersonLookup.ByToken(eve.Token))}");

clock.Advance(TimeSpan.FromDays(31));
var pass = await expirations.RunDueAsync();
Console.WriteLine($"31 days later, one scheduler pass: {pass.Claimed} due, {pass.Deleted} forgotten, {pass.Failed} failed, in {pass.Batches} batch(es).");
Console.WriteLine();

await PrintStatusTable("== Status after ==");

Console.WriteLine("== Audit trail (no personal data; sealed details unreadable once a person is forgotten) ==");
Console.WriteLine($"{"Person",-7} {"Time (UTC)",-17} {"Operation",-19} {"Outcome",-10} {"Actor",-21} Details");
foreach (var (name, token, _) in people)
{
    foreach (var e in await vault.GetAuditEventsAsync(token))
    {
        var details = e.DetailsUnreadable ? "(unreadable: key shredded)" : e.Details ?? string.Empty;
        Console.WriteLine($"{name,-7} {e.At:yyyy-MM-dd HH:mm} {e.Operation,-19} {e.Outcome,-10} {e.Actor,-21} {details}");
    }
}

provider.Dispose();
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(folder, recursive: true);
return 0;

async Task PrintStatusTable(string title)
{
    Console.WriteLine(title);
    Console.WriteLine($"{"Person",-7} {"Token",-36} {"State",-9} {"Due (UTC)",-17} Profile");
    foreach (var (name, token, _) in people)
    {
        var status = await expirations.GetStatusAsync(PersonLookup.ByToken(token));
        var person = await account.GetPersonAsync(PersonLookup.ByToken(token));
        var due = status?.DueAt is { } d ? d.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"{name,-7} {token,-36} {status?.State,-9} {due,-17} {(person is null ? "(forgotten)" : person.Profile.GetRawText())}");
    }

    Console.WriteLine();
}

static string LastSegment(Uri link) => link.Segments[^1];
