using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Databunker.Core.AspNetCore.Tests.Support;
using Databunker.Core.Privacy;
using Databunker.Core.Requests;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.AspNetCore.Tests;

/// <summary>The DPO API over HTTP: behind the host's policy, the request queue, the catalogue's documents, a person's trail and export.</summary>
public sealed class AdminApiTests
{
    private const string Policy = "dpo";

    [Test]
    public async Task WithoutSignIn_OrWithoutTheDpoRole_EveryRouteIsRefused()
    {
        await using var host = await StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.Address };
        using var customer = Client(host, "carol", role: "customer");

        foreach (var path in new[] { "databunker/admin/requests", "databunker/admin/catalog/record", $"databunker/admin/persons/{Guid.NewGuid()}/export" })
        {
            (await anonymous.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await customer.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        (await anonymous.PostAsync($"databunker/admin/requests/{Guid.NewGuid()}/approve", null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task TheQueue_ListsOpenRequests_AndTheDpoApprovesRejectsAndExtends_AsThemself()
    {
        await using var host = await StartAsync();
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "queue@example.com", name = "Quentin" }));
        var fix = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Rectification, IdentityVerified = true, Change = JsonSerializer.SerializeToElement(new { name = "Quinn" }) });
        var erase = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Objection, Activity = "analytics", IdentityVerified = true });
        using var dpo = Client(host, "dpo.anna", role: "dpo");

        var queue = await dpo.GetFromJsonAsync<JsonElement>("databunker/admin/requests?state=awaitingApproval&limit=1");
        queue.GetArrayLength().Should().Be(1);
        var second = await dpo.GetFromJsonAsync<JsonElement>($"databunker/admin/requests?state=awaitingApproval&after={queue[0].GetProperty("id").GetGuid()}");
        new[] { queue[0].GetProperty("id").GetGuid(), second[0].GetProperty("id").GetGuid() }.Should().BeEquivalentTo([fix.Id, erase.Id]);
        queue[0].TryGetProperty("change", out _).Should().BeFalse("the list shows no change or reason");
        queue[0].GetProperty("type").GetString().Should().BeOneOf("rectification", "objection");

        var detail = await dpo.GetFromJsonAsync<JsonElement>($"databunker/admin/requests/{fix.Id}");
        detail.GetProperty("change").GetProperty("name").GetString().Should().Be("Quinn");
        var extended = await dpo.PostAsJsonAsync($"databunker/admin/requests/{fix.Id}/extend", new { reason = "Three systems to check." });
        extended.StatusCode.Should().Be(HttpStatusCode.OK);
        (await extended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("isExtended").GetBoolean().Should().BeTrue();
        var approved = await dpo.PostAsync($"databunker/admin/requests/{fix.Id}/approve", null);
        var body = await approved.Content.ReadFromJsonAsync<JsonElement>();
        (body.GetProperty("state").GetString(), body.GetProperty("decidedBy").GetString()).Should().Be(("completed", "dpo.anna"));
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person)))!.Profile.GetProperty("name").GetString().Should().Be("Quinn");
        (await dpo.PostAsJsonAsync($"databunker/admin/requests/{erase.Id}/reject", new { reason = "Compelling legitimate grounds." })).StatusCode.Should().Be(HttpStatusCode.OK);

        var again = await dpo.PostAsync($"databunker/admin/requests/{fix.Id}/approve", null);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Contain("Completed");
        (await host.Vault.GetAuditEventsAsync(person)).Where(e => e.Operation is AuditOperations.RequestApprove or AuditOperations.RequestReject or AuditOperations.RequestExtend)
            .Select(e => e.Actor).Should().OnlyContain(a => a == "dpo.anna", "every call runs as the signed-in DPO");
        approved.Headers.CacheControl!.NoStore.Should().BeTrue();
    }

    [Test]
    public async Task AnAccessRequest_IsApprovedByDownloadingTheExport()
    {
        await using var host = await StartAsync();
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "download@example.com" }));
        var access = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Access, IdentityVerified = true });
        using var dpo = Client(host, "dpo.ben", role: "dpo");

        using var response = await dpo.PostAsync($"databunker/admin/requests/{access.Id}/approve", null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("profile").GetProperty("data").GetProperty("email").GetString().Should().Be("download@example.com");
        (await requests.GetAsync(access.Id))!.State.Should().Be(PrivacyRequestState.Completed);

        using var export = await dpo.GetAsync($"databunker/admin/persons/{person}/export");
        export.StatusCode.Should().Be(HttpStatusCode.OK);
        var trail = await dpo.GetFromJsonAsync<JsonElement>($"databunker/admin/persons/{person}/audit");
        trail.EnumerateArray().Select(e => e.GetProperty("operation").GetString()).Should().Contain(AuditOperations.PersonExport);
    }

    [Test]
    public async Task TheCatalogsDocuments_AreServed()
    {
        await using var host = await StartAsync();
        using var dpo = Client(host, "dpo", role: "dpo");

        var record = await dpo.GetFromJsonAsync<JsonElement>("databunker/admin/catalog/record");
        var markdown = await dpo.GetStringAsync("databunker/admin/catalog/record.md");
        var notice = await dpo.GetStringAsync("databunker/admin/catalog/retention-notice.md");

        record.GetRawText().Should().Contain("analytics");
        markdown.Should().Contain("analytics");
        notice.Should().Contain("Measuring the shop");
        (await dpo.GetAsync("databunker/admin/catalog/passwords")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [TestCase("requests?state=done", HttpStatusCode.BadRequest)]
    [TestCase("requests?state=1", HttpStatusCode.BadRequest)]
    [TestCase("requests?limit=0", HttpStatusCode.BadRequest)]
    [TestCase("requests?after=6f1c3c1e-5b1a-4a52-9b43-0e0c5f6f7a10", HttpStatusCode.BadRequest)]
    [TestCase("requests/not-a-guid", HttpStatusCode.NotFound)]
    [TestCase("requests/6f1c3c1e-5b1a-4a52-9b43-0e0c5f6f7a10", HttpStatusCode.NotFound)]
    [TestCase("users/6f1c3c1e-5b1a-4a52-9b43-0e0c5f6f7a10/audit", HttpStatusCode.NotFound)]
    [TestCase("users/6f1c3c1e-5b1a-4a52-9b43-0e0c5f6f7a10/export", HttpStatusCode.NotFound)]
    public async Task BadReads_AreClearRefusals(string path, HttpStatusCode expected)
    {
        await using var host = await StartAsync();
        using var dpo = Client(host, "dpo", role: "dpo");

        using var response = await dpo.GetAsync("databunker/admin/" + path);

        response.StatusCode.Should().Be(expected);
    }

    [Test]
    public async Task BadBodies_AreClearRefusals_AndChangeNothing()
    {
        await using var host = await StartAsync();
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "bodies@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Restriction, IdentityVerified = true });
        using var dpo = Client(host, "dpo", role: "dpo");
        var reject = $"databunker/admin/requests/{request.Id}/reject";

        (await dpo.PostAsync(reject, new StringContent("{\"reason\":", Encoding.UTF8, "application/json"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await dpo.PostAsync(reject, new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await dpo.PostAsync(reject, new StringContent("reason=no", Encoding.UTF8, "application/x-www-form-urlencoded"))).StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await dpo.PostAsJsonAsync(reject, new { reason = new string('r', 20_000) })).StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await dpo.PostAsJsonAsync(reject, new { reason = new string('r', 3_000) })).StatusCode.Should().Be(HttpStatusCode.BadRequest, "a reason is at most 2,000 characters");
        (await dpo.PostAsJsonAsync($"databunker/admin/requests/{Guid.NewGuid()}/reject", new { reason = "x" })).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await requests.GetAsync(request.Id))!.State.Should().Be(PrivacyRequestState.AwaitingApproval);
    }

    [Test]
    public async Task CrossSiteStateChanges_AreRefused_ButSameOriginAndBearerCallsAreNot()
    {
        await using var host = await StartAsync();
        var requests = host.App.Services.GetRequiredService<IPrivacyRequestManager>();
        var person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "csrf@example.com" }));
        var request = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = person, Type = PrivacyRequestType.Erasure, IdentityVerified = true });
        var approve = $"databunker/admin/requests/{request.Id}/approve";
        var ownOrigin = host.Address.GetLeftPart(UriPartial.Authority);

        async Task<HttpStatusCode> PostAsync(params (string Name, string Value)[] headers)
        {
            using var dpo = Client(host, "dpo", role: "dpo");
            using var message = new HttpRequestMessage(HttpMethod.Post, approve);
            foreach (var (name, value) in headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await dpo.SendAsync(message);
            return response.StatusCode;
        }

        (await PostAsync(("Origin", "http://evil.example"))).Should().Be(HttpStatusCode.Forbidden, "a page of another site cannot make the DPO's browser approve");
        (await PostAsync(("Origin", "null"))).Should().Be(HttpStatusCode.Forbidden);
        (await PostAsync(("Sec-Fetch-Site", "cross-site"))).Should().Be(HttpStatusCode.Forbidden);
        (await PostAsync(("Sec-Fetch-Site", "same-site"), ("Origin", "https://blog.shop.example"))).Should().Be(HttpStatusCode.Forbidden, "a sibling host is another origin");
        (await requests.GetAsync(request.Id))!.State.Should().Be(PrivacyRequestState.AwaitingApproval, "no refused call forgot anyone");
        (await host.Vault.GetPersonAsync(PersonLookup.ByToken(person))).Should().NotBeNull();

        (await PostAsync(("Origin", "http://evil.example"), ("Authorization", "Bearer x"), ("Cookie", "session=1"))).Should().Be(HttpStatusCode.Forbidden,
            "a browser's cookie came along: the bearer header proves nothing then");
        (await PostAsync(("Origin", "http://evil.example"), ("Authorization", "Bearer not-a-browser"))).Should().Be(HttpStatusCode.OK, "a bearer token is not sent by a browser on its own");
        var again = await requests.SubmitAsync(new PrivacyRequestSubmission { Person = await host.Vault.CreatePersonAsync(JsonSerializer.SerializeToElement(new { email = "csrf2@example.com" })), Type = PrivacyRequestType.Erasure, IdentityVerified = true });
        approve = $"databunker/admin/requests/{again.Id}/approve";
        (await PostAsync(("Origin", ownOrigin), ("Sec-Fetch-Site", "same-origin"))).Should().Be(HttpStatusCode.OK, "the DPO's own pages post from the same origin");
    }

    [Test]
    public void Mapping_WithoutAPolicy_OrWithAnUnknownOne_Fails_AtStart()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddAuthorization();
        builder.Services.AddDatabunker().UseSqlite("Data Source=:memory:");
        using var app = builder.Build();

        FluentActions.Invoking(() => app.MapDatabunkerAdminApi("")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => app.MapDatabunkerAdminApi("dpo")).Should().Throw<InvalidOperationException>().WithMessage("*AddPolicy*");
    }

    private static HttpClient Client(LinkHost host, string user, string role)
    {
        var client = new HttpClient { BaseAddress = host.Address };
        client.DefaultRequestHeaders.Add("X-Test-User", user);
        client.DefaultRequestHeaders.Add("X-Test-Role", role);
        return client;
    }

    private static async Task<LinkHost> StartAsync()
    {
        var host = await LinkHost.StartAsync(
            configure: b =>
            {
                b.Services.AddAuthentication(HeaderAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
                b.Services.AddAuthorization(o => o.AddPolicy(Policy, p => p.RequireRole("dpo")));
            },
            options: o =>
            {
                o.Privacy.Controller = "Example Shop Ltd";
                o.Privacy.Activities.Add(new ProcessingActivity
                {
                    Name = "analytics", Purpose = "Measuring the shop's use", LegalBasis = LegalBasis.LegitimateInterests, LegalBasisDetail = "improving the shop",
                    SubjectCategories = ["visitors"], DataCategories = ["pages visited"], RetentionDescription = "13 months",
                });
            },
            map: app => app.MapDatabunkerAdminApi(Policy));
        await host.App.Services.GetRequiredService<IPrivacyCatalog>().PublishAsync();
        return host;
    }
}
