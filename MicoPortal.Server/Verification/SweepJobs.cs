using System.Collections.Concurrent;
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
/// <remarks>
/// A round that throws (database unreachable or locked, disk full, a bug) is logged and retried
/// after <see cref="ErrorPause"/>; it never fails the Hangfire job, so the recurring loop keeps
/// running and picks up by itself once the database is back. Work a failed round had claimed
/// stays leased until the lease expires, and every order is then claimed again from the table.
/// </remarks>
public sealed class SweepJobs(
    DispatchSweep dispatch,
    VerifySweep verify,
    StuckSweep stuck,
    SweepLocks locks,
    SweepSignals signals,
    IOptions<VerificationOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<SweepJobs> logger)
{
    public const string DispatchJobId = "dispatch-sweep";
    public const string VerifyJobId = "verify-sweep";
    public const string StuckJobId = "stuck-sweep";

    /// <summary>Pause after a failed round, so a dead database is not hammered (and the log not flooded) in a tight loop.</summary>
    internal static readonly TimeSpan ErrorPause = TimeSpan.FromSeconds(1);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Dispatch received orders to the provider")]
    public Task DispatchAsync(CancellationToken cancellationToken) => RunAsync(locks.Dispatch, signals.Dispatch, dispatch.RunOnceAsync, "dispatch", cancellationToken);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Verify due orders with the provider")]
    public Task VerifyAsync(CancellationToken cancellationToken) => RunAsync(locks.Verify, signals.Verify, verify.RunOnceAsync, "verify", cancellationToken);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Flag stuck orders")]
    public async Task FlagStuckAsync(CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await stuck.RunOnceAsync(stopping.Token);
            Succeeded("stuck");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Failed("stuck", ex);
        }
    }

    private async Task RunAsync(SemaphoreSlim running, SweepSignals.Signal wake, Func<CancellationToken, Task<int>> round, string name, CancellationToken cancellationToken)
    {
        if (!await running.WaitAsync(0, CancellationToken.None))
        {
            return;
        }

        // Hangfire cancels the job token when its server stops; the host's stopping token is the
        // earlier, certain signal (it fires before any hosted service is stopped).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var token = stopping.Token;
        try
        {
            var started = Stopwatch.GetTimestamp();
            var total = 0;
            while (!token.IsCancellationRequested && Stopwatch.GetElapsedTime(started) < options.Value.SweepBudget)
            {
                int processed;
                try
                {
                    processed = await round(token);
                    Succeeded(name);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    Failed(name, ex);
                    await Task.Delay(ErrorPause, time, token);
                    continue;
                }

                total += processed;
                if (processed == 0)
                {
                    await wake.WaitAsync(options.Value.IdlePoll, time, token);
                }
            }

            if (total > 0)
            {
                logger.LogDebug("{Sweep} sweep processed {Orders} orders", name, total);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shutdown during a pause. The sweeps release what they claimed but did not send (see DispatchSweep).
        }
        finally
        {
            running.Release();
        }
    }

    /// <summary>The first failure in a row is logged with its exception, then one line every 30 failures, so an outage is visible but not a flood.</summary>
    private void Failed(string name, Exception ex)
    {
        var failures = locks.ConsecutiveFailures.AddOrUpdate(name, 1, (_, n) => n + 1);
        if (failures == 1)
        {
            logger.LogError(ex, "The {Sweep} sweep failed; retrying every {Pause}", name, ErrorPause);
        }
        else if (failures % 30 == 0)
        {
            logger.LogWarning("The {Sweep} sweep has failed {Failures} times in a row: {Error}", name, failures, ex.Message);
        }
    }

    private void Succeeded(string name)
    {
        if (locks.ConsecutiveFailures.TryRemove(name, out var failures))
        {
            logger.LogInformation("The {Sweep} sweep works again after {Failures} failed rounds", name, failures);
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

    /// <summary>Failed rounds in a row per sweep, for logging an outage once and its end once.</summary>
    public ConcurrentDictionary<string, int> ConsecutiveFailures { get; } = new(StringComparer.Ordinal);
}
