using Databunker.Core.Privacy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Databunker.Core.Tests.Purposes;

/// <summary>A catalogue whose field declarations cannot work is refused when the vault starts, with what is wrong.</summary>
public sealed class PurposeCatalogueValidationTests
{
    [TestCase("email", "is not a JSON Pointer")]
    [TestCase("/address/", "is not a JSON Pointer")]
    [TestCase("/a~2b", "is not a JSON Pointer")]
    public void AFieldThatIsNoPointer_IsRefused(string path, string expected) =>
        Failures(a => a.Fields = [new() { Path = path }]).Should().Contain(f => f.Contains(expected, StringComparison.Ordinal));

    [Test]
    public void DeclarationsThatCannotWork_AreEachNamed()
    {
        var failures = Failures(a =>
        {
            a.Fields =
            [
                new() { Path = "/email" },
                new() { Path = "/email", View = FieldView.EmailDomain },
                new() { Path = "/name", View = FieldView.Transform },
                new() { Path = "/phone", Transform = "digits" },
                new() { Path = "/birthdate", Retention = TimeSpan.Zero },
                new() { Path = "/city", RetentionFrom = RetentionEvent.ConsentWithdrawal },
            ];
            a.AppData = ["Not A Name"];
        });

        failures.Should().Contain(f => f.Contains("declares the field /email twice", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("/name a Transform without View Transform, or View Transform without naming", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("/phone a Transform without View Transform", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("/birthdate a retention that is not positive", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("/city from a consent withdrawal, but does not rest on consent", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("app-data application that is not a well-formed name", StringComparison.Ordinal));
    }

    [Test]
    public void TheVaultsOwnPurpose_CannotBeDeclared_AndACollectionLimitNeedsFields()
    {
        Failures(a => a.Name = Databunker.Core.Privacy.Purposes.DataProtection).Should().Contain(f => f.Contains("is the vault's own purpose", StringComparison.Ordinal));
        Failures(_ => { }, o => o.Privacy.CollectionLimit = CollectionLimit.Refuse).Should().Contain(f => f.Contains("CollectionLimit needs activities that declare their Fields", StringComparison.Ordinal));
    }

    [Test]
    public void ATransformThatIsNotRegistered_StopsTheVaultFromStarting_WithItsName()
    {
        var services = new ServiceCollection();
        services.AddDatabunker(o => o.Privacy.Activities.Add(new ProcessingActivity
        {
            Name = "greeting",
            Purpose = "Greeting",
            LegalBasis = LegalBasis.Contract,
            Fields = [new() { Path = "/name", View = FieldView.Transform, Transform = "initials" }],
        })).UseSqlite("Data Source=:memory:").UseMasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IPersonalDataVault>()).Should().Throw<VaultConfigurationException>()
            .WithMessage("*'greeting'*/name*'initials'*not registered (AddFieldTransform)*");
    }

    private static List<string> Failures(Action<ProcessingActivity> change, Action<DatabunkerOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddDatabunker(o =>
        {
            var activity = new ProcessingActivity { Name = "shop", Purpose = "Selling", LegalBasis = LegalBasis.Contract };
            change(activity);
            o.Privacy.Activities.Add(activity);
            configure?.Invoke(o);
        });
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<DatabunkerOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
    }
}
