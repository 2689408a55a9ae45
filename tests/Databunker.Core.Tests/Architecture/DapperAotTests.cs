using System.Reflection;
using Databunker.Core.PostgreSql;

namespace Databunker.Core.Tests.Architecture;

/// <summary>
/// The storage's Dapper calls all run through Dapper.AOT's generated code. A call that Dapper.AOT cannot generate
/// (a row type it cannot reach, a parameter shape it does not know) is left to Dapper's reflection, with no build
/// error: it still works under the JIT, and fails or warns only in a native AOT publish. Read from the IL, so that
/// such a call fails here first; so does a call of Dapper's helpers, which pulls Dapper's reflection into the publish.
/// </summary>
public sealed class DapperAotTests
{
    [TestCase(typeof(DatabunkerOptions))]
    [TestCase(typeof(PostgreSqlStorageOptions))]
    public void EveryDapperCall_IsInterceptedAtBuildTime(Type inAssembly)
    {
        var assembly = inAssembly.Assembly;
        var calls = Callers(assembly);

        calls.Should().BeEmpty("a Dapper call left to reflection does not survive native AOT: make its row type internal, its parameters an anonymous object, and use no SqlMapper helper");
    }

    [Test]
    public void TheCheck_FindsACallThatIsNotIntercepted()
    {
        // This test assembly calls Dapper without Dapper.AOT.
        Callers(typeof(DapperAotTests).Assembly).Should().Contain(nameof(DapperAotTests) + "." + nameof(NotIntercepted));
    }

    /// <summary>The methods of <paramref name="assembly"/>, outside Dapper.AOT's own generated code, that call Dapper's <c>SqlMapper</c>.</summary>
    private static List<string> Callers(Assembly assembly) =>
    [
        .. assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("Dapper", StringComparison.Ordinal) != true)
            .SelectMany(t => TypeReferences.CalledBy(t).Where(c => IsDapper(c.Callee)).Select(c => $"{TypeReferences.Outermost(t).Name}.{(t.IsNested ? t.Name + "." : "")}{c.Caller.Name}"))
            .Distinct(),
    ];

    /// <summary>
    /// Any method of <c>SqlMapper</c>: a helper that runs no command (<c>AsList</c>) still runs its static constructor,
    /// whose reflection a native AOT publish reports (IL2104 for the Dapper assembly).
    /// </summary>
    private static bool IsDapper(MethodBase method) => method.DeclaringType?.FullName == "Dapper.SqlMapper";

    // Dapper.AOT's analyzer reports it: this is the call the check must find.
#pragma warning disable DAP005
    private static int NotIntercepted(System.Data.IDbConnection connection) => Dapper.SqlMapper.Execute(connection, "SELECT 1;");
#pragma warning restore DAP005
}
