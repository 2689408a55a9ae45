using System.Reflection;
using System.Text.RegularExpressions;

namespace Databunker.Core.Tests.Architecture;

/// <summary>
/// The kernel-and-modules shape, checked: a module reaches the kernel and its own storage role, never another
/// module's implementation; the vault is opened in one place.
/// </summary>
public sealed partial class ModuleBoundaryTests
{
    private static readonly Assembly Core = typeof(IPersonalDataVault).Assembly;

    [Test]
    public void Modules_DependOnNoOtherModulesImplementation()
    {
        var violations = new List<string>();
        foreach (var type in Core.GetTypes().Where(t => Area(t) is not null))
        {
            foreach (var dependency in Dependencies(type).Where(IsImplementation))
            {
                var area = Area(dependency);
                var crossesModules = area is not null && area != Area(type) && area != "kernel";
                if (crossesModules)
                {
                    violations.Add($"{type.FullName} ({Area(type)}) -> {dependency.FullName} ({area})");
                }
            }
        }

        violations.Should().BeEmpty("a module or the kernel may use another module only through an interface");
        Core.GetTypes().Where(t => Area(t) is "profiles" or "tokens" or "expiration" or "appdata" or "sessions" or "shares" or "export" or "privacy" or "consent" or "requests" && IsImplementation(t)).Select(t => t.Name)
            .Should().Contain(["PersonalDataVault", "Tokenizer", "ExpirationManager", "AppDataManager", "SessionManager", "ShareLinkManager", "PersonExporter", "PrivacyCatalog", "ConsentLedger", "PrivacyRequestManager"], "the check looked at every module's implementation");
    }

    [Test]
    public void VaultOpener_IsTheOnlyCodeThatMigratesOrLoadsTheSystemKeys()
    {
        var source = Path.Combine(Support.Repository.Root(), "src", "Databunker.Core");
        var callers = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => OpensTheVault().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(source, f).Replace('\\', '/'))
            .ToList();

        callers.Should().Equal("Kernel/VaultOpener.cs");
    }

    private static string? Area(Type type) => type.Namespace switch
    {
        "Databunker.Core.Profiles" => "profiles",
        "Databunker.Core.Tokenization" => "tokens",
        "Databunker.Core.Expiration" => "expiration",
        "Databunker.Core.AppData" => "appdata",
        "Databunker.Core.Sessions" => "sessions",
        "Databunker.Core.Shares" => "shares",
        "Databunker.Core.Export" => "export",
        "Databunker.Core.Privacy" => "privacy",
        "Databunker.Core.Consent" => "consent",
        "Databunker.Core.Requests" => "requests",
        { } ns when ns.StartsWith("Databunker.Core.Kernel", StringComparison.Ordinal) => "kernel",
        _ => null,
    };

    /// <summary>An internal class of the library: an implementation, not a contract or a value.</summary>
    private static bool IsImplementation(Type type) =>
        type.Assembly == Core && type.IsClass && !type.IsVisible && !type.IsAbstract && !type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute));

    private static IEnumerable<Type> Dependencies(Type type)
    {
        const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var direct = type.GetConstructors(All).SelectMany(c => c.GetParameters()).Select(p => p.ParameterType)
            .Concat(type.GetFields(All).Select(f => f.FieldType))
            .Concat(type.GetProperties(All).Select(p => p.PropertyType));
        return direct.SelectMany(Flatten).Distinct();
    }

    private static IEnumerable<Type> Flatten(Type type) =>
        type.IsGenericType ? [type, .. type.GetGenericArguments().SelectMany(Flatten)]
        : type.HasElementType ? Flatten(type.GetElementType()!)
        : [type];

    // A store's InitializeAsync (migrations) or the key ring's LoadAsync (system keys) being called.
    [GeneratedRegex(@"\b(store|_store|storage|_storage|vault|_vault)\.InitializeAsync\(|\bkeys\.LoadAsync\(|_keys\.LoadAsync\(")]
    private static partial Regex OpensTheVault();
}
