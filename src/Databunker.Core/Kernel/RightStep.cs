using System.Text.Json;

namespace Databunker.Core.Kernel;

/// <summary>
/// A module's part of carrying out a data subject's request for one right (<see cref="Rights"/>): the exporter answers
/// access and portability, the vault rectification and erasure, the consent ledger a withdrawal. The request manager
/// runs the step registered for the request's right, so that it names no module.
/// </summary>
internal interface IRightStep
{
    /// <summary>The right this step carries out, one of <see cref="Rights"/>.</summary>
    string Right { get; }

    Task<RightStepResult> CarryOutAsync(RightRequest request, CancellationToken cancellationToken);
}

/// <summary>The rights a data-subject request asks for, as the steps are registered under them.</summary>
internal static class Rights
{
    public const string Access = "access";
    public const string Portability = "portability";
    public const string Rectification = "rectification";
    public const string Erasure = "erasure";
    public const string ConsentWithdrawal = "consent-withdrawal";
}

/// <summary>What a step needs of a verified request: the person, the activity of a withdrawal, the change of a rectification, where an export goes.</summary>
internal sealed record RightRequest(Guid Person, string? Activity, JsonElement? Change, Stream? Destination);

/// <summary>How a step ended: done (the request goes on to the host's fan-out), failed or cancelled, and why.</summary>
/// <param name="State">How it ended.</param>
/// <param name="Outcome">The outcome recorded on the request (<c>carried-out</c>, <c>change-refused</c>, ...).</param>
/// <param name="Detail">For the log of a failure: the type of the exception, never its message.</param>
internal readonly record struct RightStepResult(RightStepState State, string Outcome, string? Detail = null)
{
    public static RightStepResult Done(string outcome = "carried-out") => new(RightStepState.Done, outcome);
}

internal enum RightStepState
{
    Done,
    Failed,
    Cancelled,
}

/// <summary>A module's right step made from its public service, so that the request manager holds no module's implementation.</summary>
/// <typeparam name="TService">The module's service.</typeparam>
internal sealed class RightStep<TService>(string right, TService service, Func<TService, RightRequest, CancellationToken, Task<RightStepResult>> carryOut) : IRightStep
    where TService : class
{
    public string Right => right;

    public Task<RightStepResult> CarryOutAsync(RightRequest request, CancellationToken cancellationToken) => carryOut(service, request, cancellationToken);

    /// <summary>
    /// Registers the step of <typeparamref name="TService"/>'s module for <paramref name="right"/>. One module may carry
    /// out several rights, so the registrations are added, not tried: the request manager keeps the first per right.
    /// </summary>
    public static void Add(IServiceCollection services, string right, Func<TService, RightRequest, CancellationToken, Task<RightStepResult>> carryOut) =>
        services.AddSingleton<IRightStep>(sp => new RightStep<TService>(right, sp.GetRequiredService<TService>(), carryOut));
}
