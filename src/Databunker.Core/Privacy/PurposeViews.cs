using System.Globalization;
using System.Text.Json;
namespace Databunker.Core.Privacy;

/// <summary>
/// The catalogue's fields per purpose, compiled once: which purpose a read may name, what it sees of a profile, whether
/// its consent stands, and which fields no purpose declares (collection limitation). Every read module goes through it.
/// </summary>
internal sealed partial class PurposeViews : IPurposeViews
{
    private readonly Dictionary<string, PurposeView> _views = new(StringComparer.Ordinal);
    private readonly FieldNode _declared = new();
    private readonly IPurposeConsent? _consent;
    private readonly ILogger _logger;

    public PurposeViews(
        IOptions<DatabunkerOptions> options,
        IEnumerable<FieldTransform> transforms,
        IEnumerable<IPurposeConsent> consent,
        ILogger<PurposeViews>? logger = null)
    {
        var catalog = options.Value.Privacy;
        RequirePurpose = catalog.RequirePurpose;
        Limit = catalog.CollectionLimit;
        _consent = consent.LastOrDefault();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var registered = new Dictionary<string, Func<JsonElement, JsonElement?>>(StringComparer.Ordinal);
        foreach (var transform in transforms)
        {
            registered[transform.Name] = transform.Apply;
        }

        _views[Purposes.DataProtection] = new PurposeView(Purposes.DataProtection, whole: true, restsOnConsent: false, [], []);
        foreach (var activity in catalog.Activities)
        {
            var view = new PurposeView(activity.Name, whole: false, activity.LegalBasis == LegalBasis.Consent, activity.AppData, activity.TokenScopes);
            foreach (var field in activity.Fields)
            {
                Func<JsonElement, JsonElement?>? apply = null;
                if (field.View == FieldView.Transform && !registered.TryGetValue(field.Transform!, out apply))
                {
                    throw new VaultConfigurationException(
                        $"The activity '{activity.Name}' views {field.Path} through the transform '{field.Transform}', which is not registered (AddFieldTransform).");
                }

                if (!Kernel.JsonPointer.TryParse(field.Path, out var tokens))
                {
                    continue; // the options' validation refused it already
                }

                view.Declare(tokens, new CompiledField(field, apply));
                _retained.Add(new Declaration(activity.Name, activity.LegalBasis == LegalBasis.Consent, tokens, field));
                if (field.RetentionFrom == RetentionEvent.LastUse)
                {
                    _usedBy.Add(activity.Name);
                }

                _declared.Add(tokens, new CompiledField(field, apply));
            }

            _views[activity.Name] = view;
        }
    }

    /// <summary>Whether a read must name its purpose (<see cref="PrivacyCatalogOptions.RequirePurpose"/>).</summary>
    public bool RequirePurpose { get; }

    /// <summary>What a write does with an undeclared field.</summary>
    public CollectionLimit Limit { get; }

    /// <summary>Refuses a read without a purpose when the vault requires one.</summary>
    public void RefuseUnnamed()
    {
        if (RequirePurpose)
        {
            throw new PurposeNotAllowedException(null, PurposeRefusal.PurposeRequired);
        }
    }

    /// <summary>The view of a purpose the catalogue declares (or the vault's own); refused otherwise.</summary>
    public IPurposeView Resolve(string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        return _views.TryGetValue(purpose, out var view) ? view : throw new PurposeNotAllowedException(purpose, PurposeRefusal.NotDeclared);
    }

    /// <summary>Refuses a consent-based purpose whose consent the person has not given, or withdrew (read from the ledger).</summary>
    public async ValueTask EnsureConsentAsync(Guid person, IPurposeView view, CancellationToken cancellationToken)
    {
        if (view.RestsOnConsent && (_consent is null || !await _consent.IsGrantedAsync(person, view.Name, cancellationToken).ConfigureAwait(false)))
        {
            throw new PurposeNotAllowedException(view.Name, PurposeRefusal.NoConsent);
        }
    }

    /// <summary>
    /// Applies the collection limit to a profile about to be stored: a field that no activity declares is refused (or,
    /// leniently, logged by its pointer). Fields whose value is null are not collected data and pass.
    /// </summary>
    public void CheckCollection(JsonElement profile, string paramName)
    {
        if (Limit == CollectionLimit.Off || profile.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var undeclared in Undeclared(profile, _declared, string.Empty))
        {
            // A member's name is whatever the caller sent: named only when it looks like a field name, never like data.
            var pointer = IsPlainPointer(undeclared) ? undeclared : "(a member whose name is not a plain field name)";
            if (Limit == CollectionLimit.Refuse)
            {
                throw new VaultInputException(
                    $"The field {pointer} is not used by any processing activity of the privacy catalogue, so the vault does not collect it (Privacy.CollectionLimit). Declare it in an activity's Fields, or leave it out.",
                    paramName,
                    pointer);
            }

            Kernel.Log.UndeclaredFieldCollected(_logger, pointer);
        }
    }

    /// <summary>The pointers of a profile's fields that no declaration covers: leaves, or objects no declaration reaches into.</summary>
    private static IEnumerable<string> Undeclared(JsonElement value, FieldNode node, string prefix)
    {
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var pointer = prefix + "/" + Escape(property.Name);
            if (node.Children?.TryGetValue(property.Name, out var child) != true)
            {
                yield return pointer;
            }
            else if (child!.Field is null)
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    // A declaration reaches into this member, which is not an object: nothing declared holds its value.
                    yield return pointer;
                    continue;
                }

                foreach (var inner in Undeclared(property.Value, child, pointer))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Whether a pointer is short and made of letters, digits, '_', '-', '.' and '/' only: a field name, not data.</summary>
    private static bool IsPlainPointer(string pointer) =>
        pointer.Length <= 64 && !pointer.AsSpan().ContainsAnyExcept(PlainPointerCharacters);

    private static readonly System.Buffers.SearchValues<char> PlainPointerCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./");

    /// <summary>A member name as a JSON Pointer token (RFC 6901 section 3).</summary>
    internal static string Escape(string name) =>
        name.Contains('~', StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal)
            ? name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)
            : name;
}

/// <summary>
/// The catalogue's purposes as the read modules use them (<see cref="PurposeViews"/>): a module reaches the catalogue
/// through a contract, as it reaches <see cref="IPrivacyCatalog"/>.
/// </summary>
internal interface IPurposeViews
{
    /// <summary>Whether a read must name its purpose (<see cref="PrivacyCatalogOptions.RequirePurpose"/>).</summary>
    bool RequirePurpose { get; }

    /// <summary>Refuses a read without a purpose when the vault requires one.</summary>
    void RefuseUnnamed();

    /// <summary>The view of a purpose the catalogue declares (or the vault's own); refused otherwise.</summary>
    IPurposeView Resolve(string purpose);

    /// <summary>Refuses a consent-based purpose whose consent the person has not given, or withdrew.</summary>
    ValueTask EnsureConsentAsync(Guid person, IPurposeView view, CancellationToken cancellationToken);

    /// <summary>Applies the collection limit to a profile or patch about to be stored.</summary>
    void CheckCollection(JsonElement profile, string paramName);

    /// <summary>Whether any activity declares fields, so that field retention has anything to look at.</summary>
    bool TracksFields { get; }


    /// <summary>Whether a read for the activity counts as a use that a field's retention is counted from.</summary>
    bool TracksUse(string activity);

    /// <summary>When the pass first needs to look at a new or changed profile's fields (a retention counted from its collection or use), or never.</summary>
    long? FirstLook(JsonElement profile, long createdAt);

    /// <summary>Which fields of a profile no purpose needs any longer at <paramref name="now"/>, the profile without them, and when to look next.</summary>
    RetentionPlan Plan(JsonElement profile, long createdAt, IReadOnlyList<PurposeState> states, IReadOnlyDictionary<string, long> consentEnds, long now);

    /// <summary>For each of a profile's fields, which purposes hold it and until when: what the export (Art. 15) and the minimisation report say.</summary>
    IReadOnlyList<FieldHold> Holds(JsonElement profile, long createdAt, IReadOnlyList<PurposeState> states, IReadOnlyDictionary<string, long> consentEnds);

    /// <summary>When the person's consent ended, for each consent-based activity that declares fields and whose consent did end.</summary>
    Task<IReadOnlyDictionary<string, long>> ConsentEndsAsync(Guid person, CancellationToken cancellationToken);

}

/// <summary>What one purpose may read, as the read modules use it.</summary>
internal interface IPurposeView
{
    /// <summary>The purpose's name.</summary>
    string Name { get; }

    /// <summary>Whether its activity rests on consent.</summary>
    bool RestsOnConsent { get; }

    /// <summary>Whether the purpose reads this app-data application.</summary>
    bool ReadsApp(string app);

    /// <summary>Whether the purpose reads values tokenized under this scope; a token without one (made before scopes were kept) only the vault's own purpose reads.</summary>
    bool ReadsScope(string? scope);

    /// <summary>The audit details of a detokenize for the purpose: its name, and the token's scope when the purpose declares it (<see cref="Kernel.AuditTrail.CatalogueDetails"/>).</summary>
    byte[] TokenDetails(string? scope);

    /// <summary>The profile as the purpose sees it; <paramref name="fields"/> gets the pointers returned.</summary>
    JsonElement Project(JsonElement profile, List<string> fields);

    /// <summary>
    /// The same projection straight from the profile's UTF-8 JSON, without parsing the whole profile: for a read by
    /// token, which has no index to check against the profile. The vault's own purpose parses it whole.
    /// </summary>
    JsonElement Project(ReadOnlySpan<byte> profile, List<string> fields);

    /// <summary>The audit details of a read that returned <paramref name="fields"/> (<see cref="Kernel.AuditTrail.CatalogueDetails"/>), made once per set of fields.</summary>
    byte[] AuditDetails(string name, IReadOnlyList<string> fields);
}

/// <summary>One purpose's view: the fields it sees (a tree of pointers), the app data and token scopes it reads, and whether it rests on consent.</summary>
internal sealed class PurposeView(string name, bool whole, bool restsOnConsent, IReadOnlyList<string> appData, IReadOnlyList<string> tokenScopes) : IPurposeView
{
    private readonly HashSet<string> _appData = new(appData, StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, byte[]> _details = new();
    private readonly Dictionary<string, int> _bits = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tokenScopes = new(tokenScopes, StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _scopeDetails = new(StringComparer.Ordinal);
    private byte[]? _purposeOnlyDetails;

    /// <summary>The purpose's name.</summary>
    public string Name { get; } = name;

    /// <summary>Whether it is the vault's own purpose, which sees all of a person's data.</summary>
    public bool Whole { get; } = whole;

    /// <summary>Whether its activity rests on consent.</summary>
    public bool RestsOnConsent { get; } = restsOnConsent;

    /// <summary>The declared fields, as a tree of pointer tokens.</summary>
    internal FieldNode Root { get; } = new();

    /// <summary>Whether the purpose reads this app-data application.</summary>
    public bool ReadsApp(string app) => Whole || _appData.Contains(app);

    public byte[] AuditDetails(string name, IReadOnlyList<string> fields)
    {
        // The details depend only on the set of declared fields returned: one bit each (64 at most are cached).
        var key = 1UL;
        foreach (var field in fields)
        {
            if (!_bits.TryGetValue(field, out var bit))
            {
                return Kernel.AuditTrail.CatalogueDetails(Name, name, fields);
            }

            key |= 2UL << bit;
        }

        if (_details.Count > 4096)
        {
            _details.Clear();
        }

        return _details.GetOrAdd(key, static (_, state) => Kernel.AuditTrail.CatalogueDetails(state.Name, state.name, state.fields), (Name, name, fields));
    }

    /// <summary>Declares a field of the purpose.</summary>
    public void Declare(string[] tokens, CompiledField field)
    {
        Root.Add(tokens, field);
        if (_bits.Count < 63)
        {
            _bits.TryAdd(field.Declared.Path, _bits.Count);
        }
    }

    /// <summary>Whether the purpose reads values tokenized under this scope.</summary>
    public bool ReadsScope(string? scope) => Whole || (scope is not null && _tokenScopes.Contains(scope));

    /// <summary>
    /// The details name the scope only when the purpose's activity declares it: the catalogue's name. Any other scope is
    /// the host's word, which before scopes were kept was only ever hashed and might hold anything, so a read of it by
    /// the vault's own purpose, or a refused one, names the purpose alone. Made once per declared scope.
    /// </summary>
    public byte[] TokenDetails(string? scope) =>
        !Whole && scope is not null && _tokenScopes.Contains(scope)
            ? _scopeDetails.GetOrAdd(scope, static (s, name) => Kernel.AuditTrail.CatalogueDetails(name, "scopes", [s]), Name)
            : _purposeOnlyDetails ??= Kernel.AuditTrail.CatalogueDetails(Name, "scopes", []);

    /// <summary>
    /// The profile as the purpose sees it: only its declared fields, each in its view, in the profile's order; a field
    /// that is missing, or whose view cannot show its value, is absent. <paramref name="fields"/> gets the pointers returned.
    /// </summary>
    public JsonElement Project(JsonElement profile, List<string> fields)
    {
        if (Whole)
        {
            // The whole profile: its members' names are the host's, not the catalogue's, so the audit names none
            // (they would stay readable in the clear after a forget).
            return profile;
        }

        var shown = Collect(profile, Root, fields);
        using var scratch = Kernel.JsonScratch.ForProfile(Kernel.ProfileCodec.WriterOptions);
        Write(scratch.Writer, shown);
        var reader = new Utf8JsonReader(scratch.Written);
        return JsonElement.ParseValue(ref reader);
    }

    public JsonElement Project(ReadOnlySpan<byte> profile, List<string> fields)
    {
        if (Whole)
        {
            return Project(Kernel.ProfileCodec.Deserialize(profile.ToArray()), fields);
        }

        var reader = new Utf8JsonReader(profile, new JsonReaderOptions { MaxDepth = Kernel.ProfileCodec.MaxDepth });
        reader.Read();
        var shown = new List<(FieldNode Node, int Start, int Length, string? Text, JsonElement? Element)>();
        Walk(ref reader, profile, Root, shown);

        using var scratch = Kernel.JsonScratch.ForProfile(Kernel.ProfileCodec.WriterOptions);
        var writer = scratch.Writer;
        writer.WriteStartObject();
        var open = new List<FieldNode>();
        var chain = new List<FieldNode>();
        foreach (var (node, start, length, text, element) in shown)
        {
            chain.Clear();
            for (var parent = node.Parent; parent is { Parent: not null }; parent = parent.Parent)
            {
                chain.Insert(0, parent);
            }

            var common = 0;
            while (common < open.Count && common < chain.Count && ReferenceEquals(open[common], chain[common]))
            {
                common++;
            }

            for (var i = open.Count - 1; i >= common; i--)
            {
                writer.WriteEndObject();
                open.RemoveAt(i);
            }

            for (var i = common; i < chain.Count; i++)
            {
                writer.WritePropertyName(chain[i].Name);
                writer.WriteStartObject();
                open.Add(chain[i]);
            }

            writer.WritePropertyName(node.Name);
            if (text is not null)
            {
                writer.WriteStringValue(text);
            }
            else if (element is { } transformed)
            {
                transformed.WriteTo(writer);
            }
            else
            {
                writer.WriteRawValue(profile.Slice(start, length), skipInputValidation: true);
            }

            fields.Add(node.Pointer);
        }

        for (var i = open.Count - 1; i >= 0; i--)
        {
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        var result = new Utf8JsonReader(scratch.Written);
        return JsonElement.ParseValue(ref result);
    }

    /// <summary>Reads one object's members (the reader on its start), keeping each declared field's view, in the profile's order.</summary>
    private static void Walk(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, FieldNode node, List<(FieldNode, int, int, string?, JsonElement?)> shown)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            FieldNode? child = null;
            foreach (var member in node.Members)
            {
                if (reader.ValueTextEquals(member.Utf8Name))
                {
                    child = member;
                    break;
                }
            }

            reader.Read();
            if (child?.Field is { } field)
            {
                var start = (int)reader.TokenStartIndex;
                switch (field.Declared.View)
                {
                    case FieldView.Plain:
                        reader.Skip();
                        shown.Add((child, start, (int)reader.BytesConsumed - start, null, null));
                        break;
                    case FieldView.Transform:
                        var value = JsonElement.ParseValue(ref reader);
                        if (field.Show(value, out var transformed, out _))
                        {
                            shown.Add((child, 0, 0, null, transformed));
                        }

                        break;
                    default:
                        var isNumber = reader.TokenType == JsonTokenType.Number;
                        var scalar = reader.TokenType switch
                        {
                            JsonTokenType.String => reader.GetString(),
                            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                            _ => null,
                        };
                        reader.Skip();
                        if (scalar is not null && field.ShowText(scalar, isNumber) is { } text)
                        {
                            shown.Add((child, 0, 0, text, null));
                        }

                        break;
                }
            }
            else if (child is { Members.Count: > 0 } && reader.TokenType == JsonTokenType.StartObject)
            {
                Walk(ref reader, json, child, shown);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static List<Shown>? Collect(JsonElement value, FieldNode node, List<string> fields)
    {
        List<Shown>? shown = null;
        if (node.Children is null || value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in value.EnumerateObject())
        {
            if (!node.Children.TryGetValue(property.Name, out var child))
            {
                continue;
            }

            if (child.Field is { } field)
            {
                if (field.Show(property.Value, out var leaf, out var text))
                {
                    (shown ??= []).Add(new Shown(property.Name, leaf, text, null));
                    fields.Add(child.Pointer);
                }
            }
            else if (Collect(property.Value, child, fields) is { } inner)
            {
                (shown ??= []).Add(new Shown(property.Name, default, null, inner));
            }
        }

        return shown;
    }

    private static void Write(Utf8JsonWriter writer, List<Shown>? members)
    {
        writer.WriteStartObject();
        foreach (var member in members ?? [])
        {
            writer.WritePropertyName(member.Name);
            if (member.Children is { } children)
            {
                Write(writer, children);
            }
            else if (member.Text is { } text)
            {
                writer.WriteStringValue(text);
            }
            else
            {
                member.Leaf.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    private readonly record struct Shown(string Name, JsonElement Leaf, string? Text, List<Shown>? Children);
}

/// <summary>A node of a tree of declared pointers: a declared field (which covers everything below it), or the members declared inside it.</summary>
internal sealed class FieldNode
{
    public Dictionary<string, FieldNode>? Children { get; private set; }

    /// <summary>The node's JSON Pointer, made once (an audit event names it on every read).</summary>
    public string Pointer { get; private init; } = string.Empty;

    /// <summary>The member's name (empty for the root), and its UTF-8 form for matching a reader's property names.</summary>
    public string Name { get; private init; } = string.Empty;

    public byte[] Utf8Name { get; private init; } = [];

    /// <summary>The node this member is in; <see langword="null"/> for the root.</summary>
    public FieldNode? Parent { get; private init; }

    /// <summary>The children as a list, for matching a reader's property names without making a string of each.</summary>
    public List<FieldNode> Members { get; } = [];

    public CompiledField? Field { get; private set; }

    /// <summary>Declares a field; a field inside one already declared adds nothing, and a field around declared ones takes them over.</summary>
    public void Add(string[] tokens, CompiledField field)
    {
        var node = this;
        foreach (var token in tokens)
        {
            if (node.Field is not null)
            {
                return;
            }

            node.Children ??= new Dictionary<string, FieldNode>(StringComparer.Ordinal);
            if (!node.Children.TryGetValue(token, out var next))
            {
                node.Children[token] = next = new FieldNode
                {
                    Pointer = node.Pointer + "/" + PurposeViews.Escape(token),
                    Name = token,
                    Utf8Name = System.Text.Encoding.UTF8.GetBytes(token),
                    Parent = node,
                };
                node.Members.Add(next);
            }

            node = next;
        }

        if (node.Field is null)
        {
            node.Field = field;
            node.Children = null;
            node.Members.Clear();
        }
    }
}

/// <summary>A declared field with its transform resolved.</summary>
internal sealed class CompiledField(PurposeField declared, Func<JsonElement, JsonElement?>? transform)
{
    private const string Hidden = "****";
    private static readonly string[] DateForms = ["yyyy", "yyyy-MM", "yyyy-MM-dd"];
    private static readonly System.Buffers.SearchValues<char> DomainCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    public PurposeField Declared { get; } = declared;

    /// <summary>
    /// What a read for the purpose sees of a value: an element, or a masked text; <see langword="false"/> when the view
    /// cannot show it (a mask of a value that is not text, a transform that declines).
    /// </summary>
    public bool Show(JsonElement value, out JsonElement element, out string? text)
    {
        element = value;
        text = Declared.View switch
        {
            FieldView.LastFour => Scalar(value) is { } scalar ? LastFour(scalar) : null,
            FieldView.EmailDomain => value.ValueKind == JsonValueKind.String ? Domain(value.GetString()!) : null,
            FieldView.Year => value.ValueKind == JsonValueKind.String ? Year(value.GetString()!) : null,
            _ => null,
        };
        switch (Declared.View)
        {
            case FieldView.Plain:
                return true;
            case FieldView.Transform:
                if (transform!(value) is { } transformed)
                {
                    element = transformed;
                    return true;
                }

                return false;
            default:
                return text is not null;
        }
    }

    /// <summary>A mask of a scalar read as text (<paramref name="isNumber"/>: it was a number), or <see langword="null"/> when the view cannot show it.</summary>
    public string? ShowText(string scalar, bool isNumber) => Declared.View switch
    {
        FieldView.LastFour => LastFour(scalar),
        FieldView.EmailDomain => isNumber ? null : Domain(scalar),
        FieldView.Year => isNumber ? null : Year(scalar),
        _ => null,
    };

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static string LastFour(string text)
    {
        var info = new StringInfo(text);
        return info.LengthInTextElements <= 4 ? Hidden : Hidden + info.SubstringByTextElements(info.LengthInTextElements - 4);
    }

    private static string? Domain(string text)
    {
        // An address: something before the last @, and after it a host name of letters, digits, hyphens and dots.
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1)
        {
            return null;
        }

        var domain = text.AsSpan(at + 1);
        foreach (var label in domain.ToString().Split('.'))
        {
            if (label.Length == 0 || label.AsSpan().ContainsAnyExcept(DomainCharacters))
            {
                return null;
            }
        }

        return domain.ToString();
    }

    /// <summary>The year of an ISO 8601 date (<c>1990</c>, <c>1990-05</c>, <c>1990-05-17</c>, with a time or not).</summary>
    private static string? Year(string text)
    {
        if (text.Length < 4 || text.AsSpan(0, 4).ContainsAnyExceptInRange('0', '9') || (text.Length > 4 && text[4] != '-'))
        {
            return null;
        }

        var date = text.Length > 10 && text[10] is 'T' or 't' or ' ' ? text[..10] : text;
        return DateTime.TryParseExact(date, DateForms, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? text[..4] : null;
    }
}

/// <summary>
/// Whether a person's consent to an activity stands, from the consent ledger: the consent module contributes it, so
/// that the kernel reads consent without depending on the module.
/// </summary>
internal interface IPurposeConsent
{
    /// <summary>Whether the person's latest decision for the activity is a grant that has not lapsed.</summary>
    Task<bool> IsGrantedAsync(Guid person, string activity, CancellationToken cancellationToken);

    /// <summary>When the person's consent to the activity ended: a withdrawal's or refusal's time, a grant's lapse; <see langword="null"/> while it stands or was never asked.</summary>
    Task<long?> GetEndAsync(Guid person, string activity, CancellationToken cancellationToken);
}
