using System.Text.Json;
using Databunker.Core.Tests.Support;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Vault;

/// <summary>Bad input gets a documented exception that names the field, not the value, and changes nothing.</summary>
[TestFixtureSource(typeof(TestStore), nameof(TestStore.All))]
public sealed class BadInputTests(string store)
{
    private readonly TestStore _store = TestStore.Named(store);

    private VaultHost _host = null!;

    [SetUp]
    public async Task Start() => _host = await VaultHost.StartAsync(o => o.MaxProfileBytes = 2048, store: _store);

    [TearDown]
    public async Task Stop() => await _host.DisposeAsync();

    public static IEnumerable<TestCaseData> RefusedProfiles()
    {
        yield return new TestCaseData("""[1,2]""", null).SetName("Create_ArrayProfile_Refused");
        yield return new TestCaseData("\"text\"", null).SetName("Create_StringProfile_Refused");
        yield return new TestCaseData("null", null).SetName("Create_NullProfile_Refused");
        yield return new TestCaseData("""{"email":"no-at-sign.example"}""", "email").SetName("Create_EmailWithoutAt_Refused");
        yield return new TestCaseData("""{"email":"a@@b.example"}""", "email").SetName("Create_EmailWithTwoAts_Refused");
        yield return new TestCaseData("""{"email":"a b@c.example"}""", "email").SetName("Create_EmailWithSpace_Refused");
        yield return new TestCaseData("""{"email":"a@localhost"}""", "email").SetName("Create_EmailWithoutDottedDomain_Refused");
        yield return new TestCaseData("""{"email":"Alice <a@b.example>"}""", "email").SetName("Create_EmailWithDisplayName_Refused");
        yield return new TestCaseData("""{"email":42}""", "email").SetName("Create_EmailNumber_Refused");
        yield return new TestCaseData("""{"phone":"call me"}""", "phone").SetName("Create_PhoneWords_Refused");
        yield return new TestCaseData("""{"phone":"+12"}""", "phone").SetName("Create_PhoneTooShort_Refused");
        yield return new TestCaseData("""{"phone":"+1234567890123456"}""", "phone").SetName("Create_PhoneTooLong_Refused");
        yield return new TestCaseData("""{"phone":"+0 20 7946 0958"}""", "phone").SetName("Create_PhoneCountryZero_Refused");
        yield return new TestCaseData("""{"phone":"+1 202 555 014"}""", "phone").SetName("Create_PhoneTooShortForItsCountry_Refused");
        yield return new TestCaseData("""{"phone":"+44 20 7946 0958 123"}""", "phone").SetName("Create_PhoneTooLongForItsCountry_Refused");
        yield return new TestCaseData("""{"phone":"+999 1234 5678"}""", "phone").SetName("Create_PhoneNoSuchCountryCode_Refused");
        yield return new TestCaseData("""{"login":"   "}""", "login").SetName("Create_BlankLogin_Refused");
        yield return new TestCaseData("""{"login":{"a":1}}""", "login").SetName("Create_ObjectLogin_Refused");
        yield return new TestCaseData("""{"login":"a","login":"b"}""", "login").SetName("Create_LoginTwice_Refused");
        yield return new TestCaseData("""{"name":"a","name":"b"}""", null).SetName("Create_MemberTwice_Refused");
        yield return new TestCaseData("""{"address":{"city":"a","city":"b"}}""", null).SetName("Create_NestedMemberTwice_Refused");
        yield return new TestCaseData("""{"list":[{"k":1,"k":2}]}""", null).SetName("Create_MemberTwiceInArray_Refused");
        yield return new TestCaseData("""{"name":"a","n\u0061me":"b"}""", null).SetName("Create_MemberTwiceOnceEscaped_Refused");
        yield return new TestCaseData("""{"email":"a@b.example","\u0065mail":"c@d.example"}""", "email").SetName("Create_IndexTwiceOnceEscaped_Refused");
        yield return new TestCaseData(
            "{" + string.Join(",", Enumerable.Range(0, 20).Select(i => $"\"m{i}\":{i}")) + ",\"m3\":0}", null).SetName("Create_MemberTwiceInLargeObject_Refused");
        yield return new TestCaseData("""{"custom":"\ud800"}""", null).SetName("Create_LoneSurrogateInIndex_Refused");
        yield return new TestCaseData("""{"bio":"\udc00 lone low surrogate"}""", null).SetName("Create_LoneSurrogateInValue_Refused");
        yield return new TestCaseData($$"""{"bio":"{{new string('x', 3000)}}"}""", null).SetName("Create_ProfileOverLimit_Refused");
    }

    [TestCaseSource(nameof(RefusedProfiles))]
    public async Task Create(string json, string? field)
    {
        var act = () => _host.Vault.CreatePersonAsync(Parse(json));

        var error = (await act.Should().ThrowAsync<VaultInputException>()).Which;
        error.Field.Should().Be(field);
        error.ParamName.Should().Be("profile");
        AssertNothingStored();
    }

    /// <summary>
    /// Names are checked level by level, each value looked into once: a check that looked into a level's values before
    /// meeting an escaped name (<c>\u0062</c>), and then again, took 2^40 steps for these 700 bytes.
    /// </summary>
    [Test]
    public async Task Create_DeepObjectsWithEscapedNames_IsCheckedInLinearTime()
    {
        var json = "0";
        for (var i = 0; i < 40; i++)
        {
            json = $$"""{"a":{{json}},"\u0062":0}""";
        }

        var create = () => Task.Run(() => _host.Vault.CreatePersonAsync(Parse(json)));

        await create.Should().CompleteWithinAsync(TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task Create_OneBadProfileInBatch_StoresNone()
    {
        var act = () => _host.Vault.CreatePersonsAsync([Json(new { login = "fine" }), Json(new { email = "broken" })]);

        await act.Should().ThrowAsync<VaultInputException>();
        AssertNothingStored();
    }

    [Test]
    public async Task Lookup_DefaultValue_Refused()
    {
        var act = () => _host.Vault.GetPersonAsync(default);

        (await act.Should().ThrowAsync<VaultInputException>()).Which.Message.Should().Contain("Unknown lookup");
    }

    [TestCase("mail", "x")]
    [TestCase("token", "not-a-guid")]
    public void LookupCreate_UnknownModeOrBadToken_Refused(string mode, string value)
    {
        var act = () => PersonLookup.Create(mode, value);

        act.Should().Throw<VaultInputException>();
    }

    [Test]
    public async Task Lookup_MalformedEmail_RefusedWithoutValue()
    {
        var act = () => _host.Vault.GetPersonAsync(PersonLookup.ByEmail("secret-value-without-at"));

        (await act.Should().ThrowAsync<VaultInputException>()).Which.Message.Should().NotContain("secret-value");
    }

    [Test]
    public async Task Update_NonObjectPatchOrBadResult_RefusedAndUnchanged()
    {
        var token = await _host.Vault.CreatePersonAsync(Json(new { email = "keep@example.com", name = "Keep" }));

        var notObject = () => _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Parse("[1]"));
        var badEmail = () => _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Json(new { email = "broken", name = "Changed" }));
        var tooLarge = () => _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Json(new { bio = new string('y', 3000) }));
        var badText = () => _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Parse("""{"name":"\ud800"}"""));
        var twice = () => _host.Vault.UpdatePersonAsync(PersonLookup.ByToken(token), Parse("""{"name":"A","name":"B"}"""));

        await notObject.Should().ThrowAsync<VaultInputException>();
        (await badEmail.Should().ThrowAsync<VaultInputException>()).Which.Field.Should().Be("email");
        await tooLarge.Should().ThrowAsync<VaultInputException>();
        await badText.Should().ThrowAsync<VaultInputException>();
        await twice.Should().ThrowAsync<VaultInputException>();
        var user = await _host.Vault.GetPersonAsync(PersonLookup.ByEmail("keep@example.com"));
        user!.Profile.GetProperty("name").GetString().Should().Be("Keep");
        user.Profile.TryGetProperty("bio", out JsonElement _).Should().BeFalse();
    }

    [Test]
    public async Task Create_PhoneAsNumberWithDefaultCountry_Accepted()
    {
        var token = await _host.Vault.CreatePersonAsync(Parse("""{"phone":2079460958}"""));

        (await _host.Vault.GetPersonAsync(PersonLookup.ByPhone("020 7946 0958")))!.Token.Should().Be(token);
    }

    private void AssertNothingStored() =>
        _host.Scalar<long>("SELECT COUNT(*) FROM users").Should().Be(0, "nothing is stored");
}
