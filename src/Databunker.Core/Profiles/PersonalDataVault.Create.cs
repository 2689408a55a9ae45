using System.Text.Json;

namespace Databunker.Core.Profiles;

internal sealed partial class PersonalDataVault
{
    public async Task<Guid> CreatePersonAsync(JsonElement profile, CancellationToken cancellationToken = default)
    {
        var tokens = await CreateAsync([profile], nameof(profile), cancellationToken).ConfigureAwait(false);
        return tokens[0];
    }

    public async Task<IReadOnlyList<Guid>> CreatePersonsAsync(IEnumerable<JsonElement> profiles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        return await CreateAsync(BatchLimit.Take(profiles, _options.MaxBatchItems, nameof(profiles)), nameof(profiles), cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Guid>> CreateAsync(List<JsonElement> profiles, string paramName, CancellationToken cancellationToken)
    {
        using var lease = await opener.EnterAsync(cancellationToken).ConfigureAwait(false);
        var users = new List<NewPerson>(profiles.Count);
        var now = audit.Now();
        foreach (var profile in profiles)
        {
            var json = ProfileCodec.Serialize(profile, _options.MaxProfileBytes, paramName);
            purposes.CheckCollection(profile, paramName);
            var indexes = directory.HashIndexes(profile, lease.Keys, paramName);
            users.Add(await SealAsync(NewToken(), json, indexes, profile, lease, now, cancellationToken).ConfigureAwait(false));
        }

        try
        {
            await _storage.CreatePersonsAsync(users, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateIndexException ex)
        {
            Log.DuplicateRefused(_logger, ex.IndexName);
            await audit.AppendAsync(AuditOperations.PersonCreate, null, AuditOutcomes.Duplicate, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await AfterCreatedAsync(users, lease.Keys.BlindIndexVersion, cancellationToken).ConfigureAwait(false);
        return users.ConvertAll(u => u.Token);
    }

    /// <summary>Seals a new person's profile (<paramref name="json"/>, which it clears) under a new data key of theirs, with the audit event of the create.</summary>
    private async Task<NewPerson> SealAsync(Guid token, byte[] json, List<IndexEntry> indexes, JsonElement profile, KeyLease lease, long now, CancellationToken cancellationToken)
    {
        try
        {
            var (dataKey, wrapped) = await keys.NewDataKeyAsync(token, cancellationToken).ConfigureAwait(false);
            try
            {
                var sealedProfile = Envelope.Seal(dataKey, PersonDirectory.DataKeyId, json, AssociatedData.For(AssociatedData.Profile, token));
                var details = AuditTrail.SealDetails(dataKey, token, AuditOperations.PersonCreate, now, "indexes", indexes.Where(i => i.KeyVersion == lease.Keys.BlindIndexVersion).Select(i => PersonDirectory.IndexName(i.Kind)));
                return new NewPerson(token, sealedProfile, wrapped, indexes, now, audit.NewEvent(AuditOperations.PersonCreate, token, AuditOutcomes.Success, details, now), purposes.FirstLook(profile, now));
            }
            finally
            {
                Zero(dataKey);
            }
        }
        finally
        {
            Array.Clear(json);
        }
    }

    /// <summary>What follows stored persons: the directory's cache, the log, and each module's registration step.</summary>
    private async Task AfterCreatedAsync(List<NewPerson> users, int blindIndexVersion, CancellationToken cancellationToken)
    {
        directory.RememberCreated(users, blindIndexVersion);
        ProfileLog.PersonsCreated(_logger, users.Count);
        var tokens = users.ConvertAll(u => u.Token);
        foreach (var step in _registrationSteps)
        {
            try
            {
                await step.RunAsync(tokens, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The persons are stored, and the caller gets their tokens even when it cancelled meanwhile; the
                // module's due-work pass finishes what its step could not.
                ProfileLog.RegistrationStepFailed(_logger, step.Module, ex.GetType().Name);
            }
        }
    }

    /// <summary>A random (version 4) GUID from the cryptographic generator.</summary>
    private static Guid NewToken()
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
