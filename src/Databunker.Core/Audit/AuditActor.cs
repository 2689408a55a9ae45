namespace Databunker.Core;

/// <summary>
/// Names who is acting, for the audit trail, for the calls made within a scope:
/// <code>using (AuditActor.Begin("support-agent-17")) { await vault.GetPersonAsync(lookup, ct); }</code>
/// Outside any scope the audit trail records <see cref="DatabunkerOptions.DefaultActor"/>. The scope
/// flows with the async context and scopes nest.
/// </summary>
public static class AuditActor
{
    private static readonly AsyncLocal<string?> CurrentName = new();

    /// <summary>The actor of the innermost open scope, or <see langword="null"/>.</summary>
    public static string? Current => CurrentName.Value;

    /// <summary>Opens a scope in which the audit trail records <paramref name="name"/> as the actor.</summary>
    /// <param name="name">A name for the caller, 1 to 200 characters; not personal data of the subjects.</param>
    /// <returns>Dispose it to close the scope and restore the previous actor.</returns>
    /// <exception cref="ArgumentException">The name is empty, blank or longer than 200 characters.</exception>
    public static IDisposable Begin(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(name.Length, 200, nameof(name));
        var previous = CurrentName.Value;
        CurrentName.Value = name;
        return new Scope(previous);
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            CurrentName.Value = previous;
        }
    }
}
