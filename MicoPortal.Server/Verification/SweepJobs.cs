using System.Diagnostics;
using Hangfire;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>
/// The Hangfire recurring jobs. Each run keeps claiming batches for up to
/// <see cref="VerificationOptions.SweepBudget"/>, pausing briefly when nothing is due, so the
/// verification cycle is about a second even though jobs are scheduled per second. A run that
/// finds the previous one of its kind still working in this process returns at once; across
/// processes, leases keep sweeps apart.
/// </summary>
public sealed class SweepJobs(
    DispatchSweep dispatch,
    VerifySweep verify,
    StuckSweep stuck,
    SweepLocks locks,
    IOptions<VerificationOptions> options,
    TimeProvider time,
    ILogger<SweepJobs> logger)
{
    public const string DispatchJobId = "dispatch-sweep";
    public const string VerifyJobId = "verify-sweep";
    public const string StuckJobId = "stuck-sweep";

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Dispatch received orders to the provider")]
    public Task DispatchAsync(CancellationToken cancellationToken) => RunAsync(locks.Dispatch, dispatch.RunOnceAsync, "dispatch", cancellationToken);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Verify due orders with the provider")]
    public Task VerifyAsync(CancellationToken cancellationToken) => RunAsync(locks.Verify, verify.RunOnceAsync, "verify", cancellationToken);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Flag stuck orders")]
    public Task FlagStuckAsync(CancellationToken cancellationToken) => stuck.RunOnceAsync(cancellationToken);

    private async Task RunAsync(SemaphoreSlim running, Func<CancellationToken, Task<int>> round, string name, CancellationToken cancellationToken)
    {
        if (!await running.WaitAsync(0, cancellationToken))
        {
            return;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            var total = 0;
            while (!cancellationToken.IsCancellationRequested && Stopwatch.GetElapsedTime(started) < options.Value.SweepBudget)
            {
                var processed = await round(cancellationToken);
                total += processed;
                if (processed == 0)
                {
                    await Task.Delay(options.Value.IdlePoll, time, cancellationToken);
                }
            }

            if (total > 0)
            {
                logger.LogDebug("{Sweep} sweep processed {Orders} orders", name, total);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: claimed orders not yet saved keep their lease until it expires, then are picked up again.
        }
        finally
        {
            running.Release();
        }
    }

    /// <summary>Registers the recurring sweeps (cron with seconds: every second; stuck every 30 s).</summary>
    /// <summary>Schedules the sweeps, or removes them on an instance that only takes orders (<c>Verification:Enabled=false</c>).</summary>
    public static void Schedule(IRecurringJobManager jobs, bool enabled)
    {
        if (!enabled)
        {
            jobs.RemoveIfExists(DispatchJobId);
            jobs.RemoveIfExists(VerifyJobId);
            jobs.RemoveIfExists(StuckJobId);
            return;
        }

        var everySecond = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        jobs.AddOrUpdate<SweepJobs>(DispatchJobId, j => j.DispatchAsync(CancellationToken.None), "* * * * * *", everySecond);
        jobs.AddOrUpdate<SweepJobs>(VerifyJobId, j => j.VerifyAsync(CancellationToken.None), "* * * * * *", everySecond);
        jobs.AddOrUpdate<SweepJobs>(StuckJobId, j => j.FlagStuckAsync(CancellationToken.None), "*/30 * * * * *", everySecond);
    }
}

/// <summary>One running sweep of each kind per process (a singleton, so test hosts in one process stay apart).</summary>
public sealed class SweepLocks
{
    public SemaphoreSlim Dispatch { get; } = new(1, 1);

    public SemaphoreSlim Verify { get; } = new(1, 1);
}
