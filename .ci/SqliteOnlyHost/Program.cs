// A SQLite-only host configured as the hosting docs say: it starts, stores one person, reads them back and stops.
using System.Security.Cryptography;
using System.Text.Json;
using Databunker.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var folder = Directory.CreateTempSubdirectory("databunker-sqlite-only-");
try
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Databunker:Storage:ConnectionString"] = $"Data Source={Path.Combine(folder.FullName, "vault.db")}",
        ["Databunker:Storage:CreateIfMissing"] = "true",
        ["Databunker:MasterKey:Base64"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    });
    builder.Services.AddDatabunker(builder.Configuration.GetSection("Databunker"));
    using var host = builder.Build();
    await host.StartAsync();
    var vault = host.Services.GetRequiredService<IPersonalDataVault>();
    var token = await vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "ada@example.com" }));
    var found = await vault.GetPersonAsync(PersonLookup.ByToken(token));
    await host.StopAsync();
    Console.WriteLine(found is null ? "SQLite-only host: the person was not found" : "SQLite-only host: stored and read one person");
    return found is null ? 1 : 0;
}
finally
{
    folder.Delete(recursive: true);
}
