namespace Databunker.Core;

/// <summary>
/// What the vault holds against what its purposes need (GDPR Art. 5(1)(c)), from <see cref="IVaultAdministration.GetMinimisationReportAsync"/>:
/// per field, how many persons hold it, which purposes declare it, how many hold it though no purpose declares it, and
/// how many hold it past the retention of every purpose that does. Counts and field names only.
/// </summary>
/// <param name="At">When the report was made.</param>
/// <param name="Persons">How many persons were read.</param>
/// <param name="Fields">One row per field (a JSON Pointer into the profiles), in pointer order.</param>
public sealed record MinimisationReport(DateTimeOffset At, long Persons, IReadOnlyList<FieldUsage> Fields)
{
    /// <summary>The fields that some persons hold though no purpose declares them: what the vault should not collect.</summary>
    public IEnumerable<FieldUsage> OverCollected => Fields.Where(f => f.WithoutPurpose > 0);

    /// <summary>The fields that some persons hold past the retention of every purpose that declares them: what the next due-work pass deletes.</summary>
    public IEnumerable<FieldUsage> PastRetention => Fields.Where(f => f.PastRetention > 0);
}

/// <summary>One field in a <see cref="MinimisationReport"/>.</summary>
/// <param name="Field">The field, as a JSON Pointer (<c>/address/city</c>).</param>
/// <param name="Persons">How many persons hold it.</param>
/// <param name="Purposes">The activities that declare it (empty: none does).</param>
/// <param name="WithoutPurpose">How many hold it though no activity declares it (over-collection).</param>
/// <param name="PastRetention">How many hold it though every activity that declares it has ended for them.</param>
public sealed record FieldUsage(string Field, long Persons, IReadOnlyList<string> Purposes, long WithoutPurpose, long PastRetention);
