namespace Databunker.Core;

/// <summary>Thrown when an operation needs a person and no person matches the lookup.</summary>
public sealed class PersonNotFoundException : DatabunkerException
{
    /// <summary>Creates the exception.</summary>
    public PersonNotFoundException()
        : base("No person matches the lookup.")
    {
    }
}
