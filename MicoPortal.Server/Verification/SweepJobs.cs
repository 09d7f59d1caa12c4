using Hangfire;
using MicoPortal.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>
/// The Hangfire recurring sweeps. Each run keeps claiming batches for up to
/// <see cref="VerificationOptions.SweepBudget"/>, waiting briefly (or until woken, <see cref="SweepSignals"/>)
/// when nothing is due, so the verification cycle is about a second even though jobs are scheduled per second.
/// The guard around each run (one at a time per process, failures logged and retried) is <see cref="RecurringJobRunner"/>.
/// </summary>
public sealed class SweepJobs(
    DispatchSweep dispatch,
    VerifySweep verify,
    StuckSweep stuck,
    SweepSignals signals,
    RecurringJobRunner runner,
    IOptions<VerificationOptions> options,
    TimeProvider time)
{
    public const string DispatchJobId = "dispatch-sweep";
    public const string VerifyJobId = "verify-sweep";
    public const string StuckJobId = "stuck-sweep";

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Dispatch received orders to the provider")]
    public Task DispatchAsync(CancellationToken cancellationToken) => SweepAsync(DispatchJobId, dispatch.RunOnceAsync, signals.Dispatch, cancellationToken);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Verify due orders with the provider")]
    public Task VerifyAsync(CancellationToken cancellationToken) => SweepAsync(VerifyJobId, verify.RunOnceAsync, signals.Verify, cancellationToken);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Flag stuck orders")]
    public Task FlagStuckAsync(CancellationToken cancellationToken) =>
        runner.RunAsync(StuckJobId, TimeSpan.Zero, async token => await stuck.RunOnceAsync(token) > 0, cancellationToken);

    private Task SweepAsync(string job, Func<CancellationToken, Task<int>> round, SweepSignals.Signal wake, CancellationToken cancellationToken) =>
        runner.RunAsync(job, options.Value.SweepBudget, async token => await round(token) > 0, cancellationToken,
            whenIdle: token => wake.WaitAsync(options.Value.IdlePoll, time, token));
}
