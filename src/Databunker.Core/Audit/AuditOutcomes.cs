namespace Databunker.Core;

/// <summary>The outcomes written to the audit trail.</summary>
public static class AuditOutcomes
{
    /// <summary>The operation succeeded.</summary>
    public const string Success = "success";

    /// <summary>No person or token matched.</summary>
    public const string NotFound = "not-found";

    /// <summary>A unique index refused the value.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>The call was refused (a wrong verification code).</summary>
    public const string Refused = "refused";
}
