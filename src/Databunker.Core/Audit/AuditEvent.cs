namespace Databunker.Core;

/// <summary>One entry of the audit trail. It holds no plaintext personal data.</summary>
/// <param name="Id">Ascending id of the event.</param>
/// <param name="At">When the operation happened.</param>
/// <param name="Actor">Who asked for it: the <see cref="AuditActor"/> scope, else the configured default.</param>
/// <param name="Operation">What was done, for example <c>person.create</c> (see <see cref="AuditOperations"/>).</param>
/// <param name="Person">The person concerned, when known.</param>
/// <param name="Outcome">How it ended, for example <c>success</c> (see <see cref="AuditOutcomes"/>).</param>
/// <param name="Details">
/// Details as JSON (for example the names of the fields that changed), decrypted with the person's key;
/// <see langword="null"/> when the event has none or when they are unreadable.
/// </param>
/// <param name="DetailsUnreadable">
/// <see langword="true"/> when the event has details but the person's key is gone (the person was forgotten).
/// </param>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    string Actor,
    string Operation,
    Guid? Person,
    string Outcome,
    string? Details,
    bool DetailsUnreadable)
{
    /// <summary>Everything but the decrypted details, which can name a person's fields.</summary>
    public override string ToString() =>
        $"AuditEvent {{ Id = {Id}, At = {At:O}, Actor = {Actor}, Operation = {Operation}, Person = {Person}, Outcome = {Outcome}, " +
        $"Details = {(Details is null ? "null" : "[redacted]")}, DetailsUnreadable = {DetailsUnreadable} }}";
}
