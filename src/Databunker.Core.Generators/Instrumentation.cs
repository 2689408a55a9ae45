using System.Text;
using Microsoft.CodeAnalysis;

namespace Databunker.Core.Generators;

/// <summary>
/// The instrumented implementation of a public service and its registration: each <c>Task</c> member runs inside
/// <c>DatabunkerTelemetry.Begin("databunker.{prefix}.{member_name}")</c>, which costs one check when nobody listens.
/// </summary>
internal static class Instrumentation
{
    public static Source Write(INamedTypeSymbol service, string prefix)
    {
        var name = service.Name.Substring(1);
        var type = Members.Type(service);
        var text = new StringBuilder(Members.Header)
            .Append("namespace Databunker.Core.Diagnostics;\n\n")
            .Append("internal static partial class Instrumented\n{\n")
            .Append("    /// <summary>Registers <typeparamref name=\"TImplementation\"/> as <see cref=\"").Append(service.ToDisplayString()).Append("\"/>, instrumented.</summary>\n")
            .Append("    public static void Add").Append(name)
            .Append("<[global::System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(global::System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(global::Microsoft.Extensions.DependencyInjection.IServiceCollection services)\n")
            .Append("        where TImplementation : class, ").Append(type).Append("\n    {\n")
            .Append("        global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<TImplementation>(services);\n")
            .Append("        global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<").Append(type)
            .Append(">(services, sp => new Instrumented").Append(name)
            .Append("(global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<TImplementation>(sp), ")
            .Append("global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<DatabunkerTelemetry>(sp)));\n    }\n\n")
            .Append("    private sealed class Instrumented").Append(name).Append('(').Append(type).Append(" inner, DatabunkerTelemetry telemetry) : ").Append(type).Append("\n    {\n");
        foreach (var member in Members.Of(service))
        {
            switch (member)
            {
                case IPropertySymbol property:
                    Members.Forward(text, property);
                    break;
                case IMethodSymbol method when Members.IsTask(method.ReturnType):
                    var call = $"inner.{method.Name}({Members.Arguments(method)})";
                    text.Append("        public ").Append(Members.Type(method.ReturnType)).Append(' ').Append(method.Name).Append('(').Append(Members.Parameters(method)).Append(")\n        {\n")
                        .Append("            var __operation = telemetry.Begin(\"databunker.").Append(prefix).Append('.').Append(OperationName(method.Name)).Append("\");\n")
                        .Append("            if (__operation is null)\n            {\n                return ").Append(call).Append(";\n            }\n\n")
                        .Append("            try\n            {\n                return __operation.Watch(").Append(call).Append(");\n            }\n")
                        .Append("            catch (global::System.Exception ex)\n            {\n                __operation.Fail(ex);\n                throw;\n            }\n        }\n\n");
                    break;
                case IMethodSymbol method:
                    text.Append("        public ").Append(Members.Type(method.ReturnType)).Append(' ').Append(method.Name).Append('(').Append(Members.Parameters(method))
                        .Append(") => inner.").Append(method.Name).Append('(').Append(Members.Arguments(method)).Append(");\n\n");
                    break;
            }
        }

        text.Append("    }\n}\n");
        return new Source($"Instrumented.{name}.g.cs", text.ToString(), type, Members.Unwrapped(service));
    }

    /// <summary><c>GetAuditChainHeadAsync</c> is <c>get_audit_chain_head</c>.</summary>
    internal static string OperationName(string method)
    {
        var name = method.EndsWith("Async", System.StringComparison.Ordinal) ? method.Substring(0, method.Length - 5) : method;
        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }
}
