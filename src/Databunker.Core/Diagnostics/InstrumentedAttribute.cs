namespace Databunker.Core.Diagnostics;

/// <summary>
/// Marks a public service interface whose implementation the container hands out instrumented: the build writes
/// <c>Instrumented.Add{Name}</c> and a wrapper that runs each <c>Task</c> member inside a span and a measurement named
/// <c>databunker.{prefix}.{member_name}</c> (<c>Databunker.Core.Generators.ForwardingGenerator</c>).
/// </summary>
/// <param name="prefix">The operations' middle name, e.g. <c>tokens</c> for <c>databunker.tokens.tokenize</c>.</param>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
internal sealed class InstrumentedAttribute(string prefix) : Attribute
{
    /// <summary>The operations' middle name.</summary>
    public string Prefix { get; } = prefix;
}
