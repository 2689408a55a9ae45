using System.Collections.Concurrent;
using Databunker.Core.Requests;
using Microsoft.Extensions.DependencyInjection;

namespace Databunker.Core.Tests.Requests;

/// <summary>The host's side of the requests, as a test sees it: a mailbox for codes, a DPO's inbox for notices, and one other system that requests fan out to.</summary>
public sealed class RequestHooks : IPrivacyRequestCodeSender, IPrivacyRequestNotifier, IPrivacyRequestFanOut
{
    public ConcurrentQueue<PrivacyRequestCode> Codes { get; } = new();

    public ConcurrentQueue<PrivacyRequestNotice> Notices { get; } = new();

    public ConcurrentQueue<CarriedOutPrivacyRequest> CarriedOut { get; } = new();

    /// <summary>Set to make the other system fail.</summary>
    public Exception? FanOutFailure { get; set; }

    /// <summary>Set to hold the other system until the test lets it go.</summary>
    public TaskCompletionSource? FanOutGate { get; set; }

    /// <summary>Completed when the other system is called.</summary>
    public TaskCompletionSource FanOutEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string LastCode => Codes.Last().Code;

    public Task SendCodeAsync(PrivacyRequestCode code, CancellationToken cancellationToken)
    {
        Codes.Enqueue(code);
        return Task.CompletedTask;
    }

    public Task NotifyAsync(PrivacyRequestNotice notice, CancellationToken cancellationToken)
    {
        Notices.Enqueue(notice);
        return Task.CompletedTask;
    }

    public async Task CarryOutAsync(CarriedOutPrivacyRequest request, CancellationToken cancellationToken)
    {
        FanOutEntered.TrySetResult();
        if (FanOutGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (FanOutFailure is { } failure)
        {
            throw failure;
        }

        CarriedOut.Enqueue(request);
    }

    /// <summary>Registers this one object in every role.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton<IPrivacyRequestCodeSender>(this);
        services.AddSingleton<IPrivacyRequestNotifier>(this);
        services.AddSingleton<IPrivacyRequestFanOut>(this);
    }
}
