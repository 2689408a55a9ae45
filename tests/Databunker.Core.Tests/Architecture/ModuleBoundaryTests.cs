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

    /// <summary>
    /// The kernel's namespaces. The privacy catalogue is one of them: it is what the host declares, and the modules
    /// (consent, requests) consult it as they consult the audit trail.
    /// </summary>
    private static readonly HashSet<string> Kernel = new(StringComparer.Ordinal) { "Kernel", "Kernel.Crypto", "Keys", "Storage", "Privacy" };

    [Test]
    public void Kernel_UsesNoModule_AndModulesNoOtherModule()
    {
        var graph = TypeReferences.Graph(Core, Layer);
        graph.Keys.Should().Contain(["Kernel", "Storage", "Profiles", "Requests", "Administration"], "the check read every area");

        // A module reaches another's work through a contribution the kernel declares (IRightStep, IDocumentSource, ...).
        var (kernelToModule, moduleToModule) = Crossings(graph, Kernel);
        kernelToModule.Should().BeEmpty("the kernel uses no module");
        moduleToModule.Should().BeEmpty("a module uses the kernel, not another module");
    }

    [Test]
    public void Areas_FormNoCycle()
    {
        TypeReferences.Cycles(TypeReferences.Graph(Core, Layer)).Select(c => string.Join(" <-> ", c)).Should().BeEmpty();
    }

    [Test]
    public void NoKernelOrModuleConstructor_TakesTheServiceProvider()
    {
        var types = Core.GetTypes().Where(t => Layer(TypeReferences.Outermost(t)) is not null && IsImplementation(t)).ToList();
        types.Select(t => t.Name).Should().Contain(["PrivacyRequestManager", "VaultAdministration", "PersonEraser"], "the check looked at the orchestrators");

        ServiceProviderTakers(types).Should().BeEmpty("a module names what it needs; contributions come as IEnumerable<T>");
    }

    [Test]
    public void TheChecks_FindEachKindOfViolation()
    {
        var fixture = typeof(Fixture.Kernel.Core).Assembly.GetTypes().Where(t => t.Namespace?.StartsWith(typeof(Fixture.Kernel.Core).Namespace![..^"Kernel".Length], StringComparison.Ordinal) == true).ToList();
        static string? Area(Type t) => t.Namespace?.Split('.')[^1];
        var graph = TypeReferences.Graph(typeof(Fixture.Kernel.Core).Assembly, Area, fixture);

        var (kernelToModule, moduleToModule) = Crossings(graph, new HashSet<string>(StringComparer.Ordinal) { "Kernel" });

        kernelToModule.Should().Equal("Kernel -> Alpha");
        moduleToModule.Should().BeEquivalentTo(["Alpha -> Beta", "Beta -> Alpha"]);
        TypeReferences.Cycles(graph).Select(c => string.Join(",", c)).Should().Contain("Alpha,Beta");
        ServiceProviderTakers(fixture).Should().Equal(nameof(Fixture.Beta.ServiceLocator));
    }

    private static (List<string> KernelToModule, List<string> ModuleToModule) Crossings(Dictionary<string, HashSet<string>> graph, HashSet<string> kernel)
    {
        var edges = graph.SelectMany(g => g.Value.Select(to => (From: g.Key, To: to))).Where(e => !kernel.Contains(e.To)).ToList();
        return ([.. edges.Where(e => kernel.Contains(e.From)).Select(e => $"{e.From} -> {e.To}").Order(StringComparer.Ordinal)],
            [.. edges.Where(e => !kernel.Contains(e.From)).Select(e => $"{e.From} -> {e.To}").Order(StringComparer.Ordinal)]);
    }

    private static List<string> ServiceProviderTakers(IEnumerable<Type> types) =>
        [.. types.Where(t => t.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(IServiceProvider)))).Select(t => t.Name)];

    /// <summary>
    /// The kernel's and the modules' namespaces (a module's storage role and records, in <c>Sessions.Storage</c> and so on,
    /// count as the module's), for the folder graph; the composition root (<c>Databunker.Core</c>: options
    /// and registration), the generated decorators (<c>Diagnostics</c>) and the SQLite provider may use any of them.
    /// </summary>
    private static string? Layer(Type type)
    {
        var ns = type.Namespace ?? string.Empty;
        if (ns.EndsWith(".Storage", StringComparison.Ordinal) && ns != "Databunker.Core.Storage")
        {
            ns = ns[..^".Storage".Length];
        }

        return ns is "Databunker.Core.Kernel" or "Databunker.Core.Kernel.Crypto" or "Databunker.Core.Keys" or "Databunker.Core.Storage" or "Databunker.Core.Profiles"
            or "Databunker.Core.Tokenization" or "Databunker.Core.Expiration" or "Databunker.Core.AppData" or "Databunker.Core.Sessions" or "Databunker.Core.Shares"
            or "Databunker.Core.Export" or "Databunker.Core.Privacy" or "Databunker.Core.Consent" or "Databunker.Core.Requests" or "Databunker.Core.Administration"
            ? ns["Databunker.Core.".Length..]
            : null;
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
