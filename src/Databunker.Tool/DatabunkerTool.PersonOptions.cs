using System.CommandLine;
using Databunker.Core;
using Microsoft.Extensions.DependencyInjection;

using Databunker.Core.Privacy;

namespace Databunker.Tool;

/// <summary>The options that name a person, by token or through one of the vault's indexes.</summary>
internal static partial class DatabunkerTool
{
    /// <summary>Whom a command is about: a token, or an email, phone number or login found through the vault's indexes.</summary>
    private sealed class PersonOptions
    {
        private readonly Option<Guid?> _token = new("--token") { Description = "The person's token." };
        private readonly Option<string?> _email = new("--email") { Description = "The person's email address, normalised as the vault does (trimmed, lower-cased)." };
        private readonly Option<string?> _phone = new("--phone") { Description = "The person's phone number, with its country code (+44 20 7946 0958)." };
        private readonly Option<string?> _login = new("--login") { Description = "The person's login." };

        public void AddTo(Command command)
        {
            command.Options.Add(_token);
            command.Options.Add(_email);
            command.Options.Add(_phone);
            command.Options.Add(_login);
        }

        /// <summary>The person's token: given, or found through the index the lookup names (a read the vault audits).</summary>
        /// <exception cref="ArgumentException">Not exactly one lookup is given, or no person matches it (the value is not shown).</exception>
        public async Task<Guid> FindAsync(ParseResult result, IServiceProvider services, CancellationToken cancellationToken)
        {
            var lookups = new List<PersonLookup>();
            if (result.GetValue(_token) is { } token)
            {
                lookups.Add(PersonLookup.ByToken(token));
            }

            AddIfGiven(lookups, result.GetValue(_email), PersonLookup.ByEmail);
            AddIfGiven(lookups, result.GetValue(_phone), PersonLookup.ByPhone);
            AddIfGiven(lookups, result.GetValue(_login), PersonLookup.ByLogin);
            if (lookups.Count != 1)
            {
                throw new ArgumentException("Name the person with exactly one of --token, --email, --phone and --login.");
            }

            var lookup = lookups[0];
            if (lookup.Kind == LookupKind.Token)
            {
                return lookup.Token;
            }

            var found = await services.GetRequiredService<IPersonalDataVault>().GetPersonForPurposeAsync(lookup, Purposes.DataProtection, cancellationToken).ConfigureAwait(false);
            return found?.Token ?? throw new ArgumentException($"No person in this vault has that {lookup.Kind.ToString().ToLowerInvariant()}.");
        }

        private static void AddIfGiven(List<PersonLookup> lookups, string? value, Func<string, PersonLookup> lookup)
        {
            if (value is not null)
            {
                lookups.Add(lookup(value));
            }
        }
    }
}
