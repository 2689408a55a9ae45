using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Databunker.Core.Privacy;

namespace Databunker.Core.AspNetCore;

/// <summary>
/// Looks up and sends the portal's sign-in codes outside the request: a request for an address with an account must take as
/// long as one for an address without (the lookup, which unwraps the person's key, and mail delivery would otherwise tell
/// which addresses have accounts). One reader takes the codes in order, looks the address up (audited as the portal's read)
/// and, when a person has it, sends the code through the host's <see cref="IPortalCodeSender"/>, resolved in a scope of its
/// own; a full queue drops the code with a warning (the person asks again) rather than make the request wait; a failed send
/// is logged without the code, the address or the person. When the host has stopped (its server no longer takes requests)
/// the codes already queued are sent, within the host's shutdown timeout.
/// </summary>
internal sealed class PortalCodeQueue : IDisposable
{
    private readonly Channel<CodeMail> _mails;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task _reader;
    private bool _closed;

    public ILogger Logger => _logger;

    public PortalCodeQueue(IServiceScopeFactory scopes, ILogger logger, int capacity)
    {
        _scopes = scopes;
        _logger = logger;
        _capacity = capacity;
        _mails = Channel.CreateBounded<CodeMail>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _reader = Task.Run(SendAllAsync);
    }

    /// <summary>Queues a code for an address; returns at once whatever happens to it. The sender is called with <paramref name="language"/> as its UI culture.</summary>
    public void Enqueue(string email, string code, DateTimeOffset expiresAt, CultureInfo language)
    {
        if (_mails.Writer.TryWrite(new CodeMail(email, code, expiresAt, language)))
        {
            return;
        }

        if (Volatile.Read(ref _closed))
        {
            Log.CodeQueueClosed(_logger);
        }
        else
        {
            Log.CodeQueueFull(_logger, _capacity);
        }
    }

    /// <summary>Stops taking codes and waits for the queued ones to be sent, for at most <paramref name="timeout"/>.</summary>
    public void Drain(TimeSpan timeout)
    {
        Volatile.Write(ref _closed, true);
        _mails.Writer.TryComplete();
        if (!_reader.Wait(timeout))
        {
            _abandon.Cancel();
            Log.CodesNotDrained(_logger, _mails.Reader.Count + 1);
        }
    }

    /// <summary>Frees the cancellation source; called when the host has stopped.</summary>
    public void Dispose() => _abandon.Dispose();

    private async Task SendAllAsync()
    {
        await foreach (var mail in _mails.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                var scope = _scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    await SendAsync(scope.ServiceProvider, mail).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The host's exception may carry the address it failed to reach: only its type is logged.
                Log.CodeNotSent(_logger, e.GetType().FullName ?? e.GetType().Name);
            }

            if (_abandon.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task SendAsync(IServiceProvider services, CodeMail mail)
    {
        Guid? person;
        try
        {
            using (AuditActor.Begin(PrivacyPortal.CodeActor))
            {
                person = (await services.GetRequiredService<IPersonalDataVault>().GetPersonForPurposeAsync(PersonLookup.ByEmail(mail.Email), Purposes.DataProtection, _abandon.Token).ConfigureAwait(false))?.Token;
            }
        }
        catch (VaultInputException)
        {
            // A malformed address has no account: nothing to send.
            return;
        }

        if (person is { } p)
        {
            // The page's language, for the mail: the sender runs outside the request that asked.
            CultureInfo.CurrentUICulture = mail.Language;
            await services.GetRequiredService<IPortalCodeSender>().SendCodeAsync(p, mail.Code, mail.ExpiresAt, _abandon.Token).ConfigureAwait(false);
        }
    }

    private sealed record CodeMail(string Email, string Code, DateTimeOffset ExpiresAt, CultureInfo Language)
    {
        public override string ToString() => "CodeMail { [redacted] }";
    }
}
