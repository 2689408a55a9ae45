namespace Databunker.Core.Expiration;

/// <summary>The counts of one scheduler pass.</summary>
/// <param name="Claimed">Due persons claimed.</param>
/// <param name="Deleted">Persons forgotten (each with an audit event).</param>
/// <param name="Skipped">Claimed persons that had answered, been cancelled or been forgotten meanwhile.</param>
/// <param name="Failed">Persons whose erasure failed; they are retried when their claim times out.</param>
/// <param name="Batches">Batches claimed.</param>
public sealed record ExpirationPassResult(int Claimed, int Deleted, int Skipped, int Failed, int Batches);
