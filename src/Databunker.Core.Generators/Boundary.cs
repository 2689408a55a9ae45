using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Databunker.Core.Generators;

/// <summary>
/// The storage boundary: a guarded implementation of each storage role, whose <c>Task</c> members pass through
/// <c>StorageBoundary.Guard</c> (a database failure becomes a <c>DatabunkerStorageException</c>), an erasure handed to
/// the storage unwrapped and one the storage begins wrapped; and <c>StorageBoundary.Wrap</c>, which picks it by role.
/// </summary>
internal static class Boundary
{
    private const string Erasure = "global::Databunker.Core.Storage.IErasureTransaction";

    public static Source WriteRole(INamedTypeSymbol role)
    {
        var type = Members.Type(role);
        var text = new StringBuilder(Members.Header)
            .Append("namespace Databunker.Core;\n\n")
            .Append("internal static partial class StorageBoundary\n{\n")
            .Append("    private sealed class Guarded").Append(role.Name.Substring(1)).Append('(').Append(type).Append(" inner) : ").Append(type).Append("\n    {\n");
        foreach (var member in Members.Of(role))
        {
            switch (member)
            {
                case IPropertySymbol property:
                    Members.Forward(text, property);
                    break;
                case IMethodSymbol method:
                    var call = $"inner.{method.Name}({Members.Arguments(method, static (p, name) => Members.Type(p.Type).TrimEnd('?') == Erasure ? $"Unwrap({name})" : name)})";
                    var returned = Members.Type(method.ReturnType);
                    var body = !Members.IsTask(method.ReturnType) ? call
                        : returned.Replace("?", string.Empty) == $"global::System.Threading.Tasks.Task<{Erasure}>" ? $"GuardErasureAsync({call})"
                        : $"Guard({call})";
                    text.Append("        public ").Append(returned).Append(' ').Append(method.Name).Append('(').Append(Members.Parameters(method)).Append(") => ").Append(body).Append(";\n\n");
                    break;
            }
        }

        text.Append("    }\n}\n");
        return new Source($"StorageBoundary.{role.Name.Substring(1)}.g.cs", text.ToString(), type, Members.Unwrapped(role));
    }

    public static string WriteWrap(ImmutableArray<Source> roles)
    {
        var text = new StringBuilder(Members.Header)
            .Append("namespace Databunker.Core;\n\n")
            .Append("internal static partial class StorageBoundary\n{\n")
            .Append("    /// <summary>The role service <paramref name=\"role\"/> over <paramref name=\"storage\"/>, behind the boundary.</summary>\n")
            .Append("    public static object Wrap(global::System.Type role, object storage)\n    {\n");
        foreach (var role in roles)
        {
            var name = role.Interface.Substring(role.Interface.LastIndexOf('.') + 2);
            text.Append("        if (role == typeof(").Append(role.Interface).Append("))\n        {\n")
                .Append("            return new Guarded").Append(name).Append("((").Append(role.Interface).Append(")storage);\n        }\n\n");
        }

        return text.Append("        return storage;\n    }\n}\n").ToString();
    }
}
