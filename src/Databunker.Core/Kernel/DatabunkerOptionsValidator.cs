using Microsoft.Extensions.Options;

namespace Databunker.Core.Kernel;

/// <summary>Checks <see cref="DatabunkerOptions"/> when they are first read, so that a bad value fails at start.</summary>
internal sealed class DatabunkerOptionsValidator : IValidateOptions<DatabunkerOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabunkerOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DefaultActor) || options.DefaultActor.Length > 200)
        {
            failures.Add("DefaultActor must be 1 to 200 characters.");
        }

        if (options.MaxProfileBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add("MaxProfileBytes must be between 1 KiB and 16 MiB.");
        }

        if (options.DefaultPhoneCountryCode is { } code
            && (code.Length is < 1 or > 3 || !code.All(char.IsAsciiDigit) || code[0] == '0'))
        {
            failures.Add("DefaultPhoneCountryCode must be 1 to 3 digits without a leading zero, for example 44.");
        }

        if (options.AuditRetention <= TimeSpan.Zero)
        {
            failures.Add("AuditRetention must be positive.");
        }

        if (options.RotationBatchSize is < 1 or > 100_000)
        {
            failures.Add("RotationBatchSize must be between 1 and 100000.");
        }

        if (options.AuditVerificationPageSize is < 1 or > 100_000)
        {
            failures.Add("AuditVerificationPageSize must be between 1 and 100000.");
        }

        if (options.MaxBatchItems is < 1 or > 1_000_000)
        {
            failures.Add("MaxBatchItems must be between 1 and 1000000.");
        }

        var expiration = options.Expiration;
        if (expiration.MaxRetention <= TimeSpan.Zero)
        {
            failures.Add("Expiration.MaxRetention must be positive.");
        }

        if (expiration.DefaultRetention <= TimeSpan.Zero || expiration.DefaultRetention > expiration.MaxRetention)
        {
            failures.Add("Expiration.DefaultRetention must be positive and at most Expiration.MaxRetention.");
        }

        if (expiration.LinkBaseAddress is { IsAbsoluteUri: false })
        {
            failures.Add("Expiration.LinkBaseAddress must be an absolute URI.");
        }

        if (expiration.BatchSize is < 1 or > 100_000)
        {
            failures.Add("Expiration.BatchSize must be between 1 and 100000.");
        }

        if (expiration.ClaimTimeout <= TimeSpan.Zero)
        {
            failures.Add("Expiration.ClaimTimeout must be positive.");
        }

        if (options.Tokenization.MaxValueLength is < 1 or > 1024 * 1024)
        {
            failures.Add("Tokenization.MaxValueLength must be between 1 and 1048576.");
        }

        if (options.Tokenization.RemovalBatchSize is < 1 or > 100_000)
        {
            failures.Add("Tokenization.RemovalBatchSize must be between 1 and 100000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
