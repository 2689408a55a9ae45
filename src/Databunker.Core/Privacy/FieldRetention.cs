using System.Text.Json;

namespace Databunker.Core.Privacy;

/// <summary>
/// Field retention (GDPR Art. 5(1)(c),(e)): for each of a profile's fields, how long the purposes that declare it still
/// need it. A field is held while any declaring purpose holds it; once none does, the due-work pass removes it.
/// </summary>
internal sealed partial class PurposeViews
{
    private const long Never = long.MaxValue;
    private readonly List<Declaration> _retained = [];
    private readonly HashSet<string> _usedBy = new(StringComparer.Ordinal);

    public bool TracksFields => _retained.Count > 0;

    /// <summary>The activities that rest on consent and declare fields: whose ends <see cref="ConsentEndsAsync"/> asks the ledger for.</summary>
    private IEnumerable<string> ConsentActivitiesWithFields => _retained.Where(d => d.RestsOnConsent).Select(d => d.Activity).Distinct(StringComparer.Ordinal);

    public bool TracksUse(string activity) => _usedBy.Contains(activity);

    public long? FirstLook(JsonElement profile, long createdAt) =>
        TracksFields && profile.ValueKind == JsonValueKind.Object ? Plan(profile, createdAt, [], new Dictionary<string, long>(), long.MinValue).NextLook : null;

    public RetentionPlan Plan(JsonElement profile, long createdAt, IReadOnlyList<PurposeState> states, IReadOnlyDictionary<string, long> consentEnds, long now)
    {
        var removed = new HashSet<string>(StringComparer.Ordinal);
        var next = Never;
        foreach (var (tokens, pointer) in Leaves(profile, []))
        {
            var heldUntil = long.MinValue;
            var covered = false;
            foreach (var declaration in _retained.Where(d => d.Tokens.Length <= tokens.Length && d.Tokens.AsSpan().SequenceEqual(tokens.AsSpan(0, d.Tokens.Length))))
            {
                covered = true;
                heldUntil = Math.Max(heldUntil, HeldUntil(declaration, createdAt, states, consentEnds));
            }

            if (!covered)
            {
                continue; // no purpose declares it: the collection limit and the minimisation report speak of it
            }

            if (heldUntil <= now)
            {
                removed.Add(pointer);
            }
            else if (heldUntil < next)
            {
                next = heldUntil;
            }
        }

        var remaining = removed.Count == 0 ? profile : Without(profile, removed);
        return new RetentionPlan([.. removed], remaining, remaining.EnumerateObject().Any() is false, next == Never ? null : next);
    }

    public IReadOnlyList<FieldHold> Holds(JsonElement profile, long createdAt, IReadOnlyList<PurposeState> states, IReadOnlyDictionary<string, long> consentEnds)
    {
        var holds = new List<FieldHold>();
        foreach (var (tokens, pointer) in Leaves(profile, []))
        {
            var by = _retained.Where(d => d.Tokens.Length <= tokens.Length && d.Tokens.AsSpan().SequenceEqual(tokens.AsSpan(0, d.Tokens.Length)))
                .GroupBy(d => d.Activity, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Max(d => HeldUntil(d, createdAt, states, consentEnds))))
                .Select(h => (h.Key, h.Item2 == Never ? (long?)null : h.Item2))
                .ToList();
            holds.Add(new FieldHold(pointer, by));
        }

        return holds;
    }

    public async Task<IReadOnlyDictionary<string, long>> ConsentEndsAsync(Guid person, CancellationToken cancellationToken)
    {
        var ends = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var activity in ConsentActivitiesWithFields)
        {
            if (await ConsentEndAsync(person, activity, cancellationToken).ConfigureAwait(false) is { } end)
            {
                ends[activity] = end;
            }
        }

        return ends;
    }

    private async Task<long?> ConsentEndAsync(Guid person, string activity, CancellationToken cancellationToken) =>
        _consent is null ? null : await _consent.GetEndAsync(person, activity, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Until when one declaration holds its field for the person: from its event, for its retention, and never past the
    /// end of its purpose (the host ended it, or the consent it rests on ended) unless its retention counts from that end.
    /// </summary>
    private static long HeldUntil(Declaration declaration, long createdAt, IReadOnlyList<PurposeState> states, IReadOnlyDictionary<string, long> consentEnds)
    {
        var state = states.FirstOrDefault(s => string.Equals(s.Activity, declaration.Activity, StringComparison.Ordinal));
        long? ended = state?.EndedAt;
        if (declaration.RestsOnConsent && consentEnds.TryGetValue(declaration.Activity, out var consentEnd))
        {
            ended = ended is { } e ? Math.Min(e, consentEnd) : consentEnd;
        }

        var retention = declaration.Field.Retention is { } r ? (long)r.TotalMilliseconds : (long?)null;
        switch (declaration.Field.RetentionFrom)
        {
            case RetentionEvent.ContractEnd or RetentionEvent.ConsentWithdrawal:
                return ended is { } end ? Add(end, retention ?? 0) : Never;
            default:
                var from = declaration.Field.RetentionFrom == RetentionEvent.LastUse ? state?.UsedAt ?? createdAt : createdAt;
                var until = retention is { } kept ? Add(from, kept) : Never;
                return ended is { } stop ? Math.Min(until, stop) : until;
        }
    }

    private static long Add(long at, long span) => at > Never - span ? Never : at + span;

    /// <summary>A profile's leaves with their pointers: members that are not objects with members of their own.</summary>
    private static IEnumerable<(string[] Tokens, string Pointer)> Leaves(JsonElement value, string[] at)
    {
        foreach (var property in value.EnumerateObject())
        {
            string[] tokens = [.. at, property.Name];
            if (property.Value.ValueKind == JsonValueKind.Object && property.Value.EnumerateObject().Any())
            {
                foreach (var leaf in Leaves(property.Value, tokens))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (tokens, string.Concat(tokens.Select(t => "/" + Escape(t))));
            }
        }
    }

    /// <summary>The profile without the removed leaves, and without the objects that removing them left empty.</summary>
    private static JsonElement Without(JsonElement profile, HashSet<string> removed)
    {
        using var scratch = Kernel.JsonScratch.ForProfile(Kernel.ProfileCodec.WriterOptions);
        Write(scratch.Writer, profile, string.Empty, removed);
        var reader = new Utf8JsonReader(scratch.Written);
        return JsonElement.ParseValue(ref reader);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement value, string at, HashSet<string> removed)
    {
        writer.WriteStartObject();
        foreach (var property in value.EnumerateObject())
        {
            var pointer = at + "/" + Escape(property.Name);
            if (!Survives(property.Value, pointer, removed))
            {
                continue;
            }

            writer.WritePropertyName(property.Name);
            if (property.Value.ValueKind == JsonValueKind.Object && property.Value.EnumerateObject().Any())
            {
                Write(writer, property.Value, pointer, removed);
            }
            else
            {
                property.Value.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    private static bool Survives(JsonElement value, string pointer, HashSet<string> removed) =>
        value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any()
            ? value.EnumerateObject().Any(p => Survives(p.Value, pointer + "/" + Escape(p.Name), removed))
            : !removed.Contains(pointer);

    /// <summary>A field one activity declares, for retention.</summary>
    private sealed record Declaration(string Activity, bool RestsOnConsent, string[] Tokens, PurposeField Field);
}

/// <summary>Which purposes hold one of a profile's fields, each until when (<see langword="null"/>: as long as the purpose lasts).</summary>
/// <param name="Field">The field's pointer.</param>
/// <param name="HeldBy">The purposes that declare it, with the time each holds it until; empty when no purpose declares it.</param>
internal readonly record struct FieldHold(string Field, IReadOnlyList<(string Purpose, long? Until)> HeldBy);

/// <summary>What the due-work pass does with one profile: the fields it removes, the profile without them, and when it looks next.</summary>
/// <param name="Removed">The pointers of the fields no purpose needs any longer.</param>
/// <param name="Remaining">The profile without them (the profile itself when none is removed).</param>
/// <param name="NothingLeft">Whether no field remains: the person is forgotten whole.</param>
/// <param name="NextLook">When a field that remains is next due, or <see langword="null"/>.</param>
internal readonly record struct RetentionPlan(IReadOnlyList<string> Removed, JsonElement Remaining, bool NothingLeft, long? NextLook);
