using Databunker.Core.Expiration;
using static Databunker.Core.Tests.Support.TestData;

namespace Databunker.Core.Tests.Reliability;

public sealed partial class SoakTests
{
    /// <summary>Compares every person of the model, live or forgotten, with the vault; returns how many values were compared.</summary>
    private async Task<int> CompareWholeVaultAsync()
    {
        var compared = 0;
        foreach (var person in _model.Live.Values.Concat(_model.Forgotten))
        {
            var live = _model.Live.ContainsKey(person.Token);
            var byToken = await _host.Vault.GetPersonAsync(PersonLookup.ByToken(person.Token));
            var byEmail = await _host.Vault.GetPersonAsync(PersonLookup.ByEmail(person.Email));
            Check(live
                ? byToken is not null && SameJson(byToken.Profile, AsJson(person.Profile)) && byEmail?.Token == person.Token
                : byToken is null && byEmail is null, $"profile of {person.Token} (live: {live})");
            var status = await _host.Expirations.GetStatusAsync(PersonLookup.ByToken(person.Token));
            Check(live
                ? status?.State == person.Expiration && status.DueAt == person.DueAt
                : status?.State == ExpirationState.Deleted, $"expiration of {person.Token} (live: {live})");
            foreach (var (token, value) in person.Tokens)
            {
                Check(await Tokens.DetokenizeAsync(token) == (live ? value : null), $"token of {person.Token} (live: {live})");
            }

            foreach (var (id, (data, expiresAt)) in person.Sessions)
            {
                var session = await Sessions.GetAsync(id, touch: false);
                if (live)
                {
                    CheckSession(session, person.Token, data, expiresAt);
                }
                else
                {
                    Check(session is null, $"session of forgotten {person.Token}");
                }
            }

            compared += 3 + person.Tokens.Count + person.Sessions.Count;
        }

        Check(_host.Scalar<long>("SELECT COUNT(*) FROM users") == _model.Live.Count, "the number of persons stored");
        return compared + 1;
    }
}
