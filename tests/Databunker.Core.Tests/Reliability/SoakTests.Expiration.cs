using Databunker.Core.Expiration;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Reliability;

public sealed partial class SoakTests
{
    private async Task<bool> RunExpirationAsync(string name, SoakPerson? person)
    {
        switch (name)
        {
            case "expiration":
                if (person!.Expiration != ExpirationState.None)
                {
                    return false;
                }

                person.Ticket = await _host.Expirations.StartAsync(PersonLookup.ByToken(person.Token), TimeSpan.FromMinutes(_random.Next(30, 600)));
                (person.Expiration, person.DueAt) = (ExpirationState.Waiting, person.Ticket.DueAt);
                return true;
            case "status":
                var status = await _host.Expirations.GetStatusAsync(PersonLookup.ByToken(person!.Token));
                Check(status is not null && status.State == person.Expiration && status.DueAt == person.DueAt, $"expiration status of {person.Token}");
                return true;
            case "cancel":
                if (person!.Expiration != ExpirationState.Waiting)
                {
                    return false;
                }

                Check(await _host.Expirations.CancelAsync(PersonLookup.ByToken(person.Token)), $"cancel for {person.Token}");
                (person.Expiration, person.DueAt) = (ExpirationState.None, null);
                return true;
            case "retain link" or "delete link":
                if (person!.Expiration != ExpirationState.Waiting || person.DueAt <= _host.Time.GetUtcNow())
                {
                    return false;
                }

                var retain = name == "retain link";
                var result = await (retain ? _host.Expirations.RetainAsync(person.Ticket!.RetainToken) : _host.Expirations.DeleteAsync(person.Ticket!.DeleteToken));
                Check(result == (retain ? ExpirationLinkResult.Retained : ExpirationLinkResult.Deleted), $"{name} for {person.Token}");
                if (retain)
                {
                    (person.Expiration, person.DueAt) = (ExpirationState.Retained, null);
                }
                else
                {
                    _model.Forget(person.Token);
                }

                return true;
            case "advance clock":
                _host.Time.Advance(TimeSpan.FromMinutes(_random.Next(1, 16)));
                return true;
            default:
                var due = _model.DueAt(_host.Time.GetUtcNow());
                var done = await _host.Administration.RunDueWorkAsync();
                Check(done["expiration"] == due.Count, $"a due pass forgot {done["expiration"]}, the model {due.Count}");
                due.ForEach(_model.Forget);
                return true;
        }
    }
}
