using System.Collections.Concurrent;
using System.Linq.Expressions;
using Hangfire;

namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// A recurring Hangfire job a feature declares where it registers its services (<see cref="RecurringJobExtensions.AddRecurringJob{TJob}"/>).
/// Start-up schedules every declared job, or removes it when its schedule says it is off, so a job switched off in
/// configuration does not keep running from durable job storage shared with other instances.
/// </summary>
public sealed class RecurringJobDefinition(string id, Func<IServiceProvider, string?> schedule, Action<IRecurringJobManager, string, RecurringJobOptions> addOrUpdate)
{
    public string Id { get; } = id;

    internal void Schedule(IRecurringJobManager jobs, IServiceProvider services)
    {
        if (schedule(services) is { } cron)
        {
            addOrUpdate(jobs, cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        else
        {
            jobs.RemoveIfExists(Id);
        }
    }
}

public static class RecurringJobExtensions
{
    /// <summary>
    /// Hangfire, which runs the recurring jobs. Every durable fact lives in the portal's own tables, so in-memory job
    /// storage loses nothing on SQLite; SQL Server and PostgreSQL share durable storage between instances
    /// (<see cref="ScaleOut"/>). Storage and activator are this host's own instances, not Hangfire's process-wide
    /// statics, so several hosts in one process (tests) never share or dispose each other's.
    /// </summary>
    public static IServiceCollection AddBackgroundJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobStorage>(sp => ScaleOut.CreateJobStorage(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, c) => c
            .UseLogProvider(new DisposalTolerantHangfireLogProvider(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer(o =>
        {
            // Held for long: two for each continuous sweep (its run and the successor waiting to take over), one
            // each for the SMS and webhook senders, the audit sealer and the reconciliation watchdog (7). Short:
            // the stuck sweep and the incident monitor. The rest is for reconciliations an Admin queues (each
            // runs until its file is done) and re-verifications, so a few of them never stall the sweeps' triggers.
            o.WorkerCount = 12;
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        services.AddSingleton<RecurringJobRunner>();
        return services;
    }

    /// <summary>
    /// Declares a recurring job. <paramref name="schedule"/> reads the feature's options at start-up and gives a cron
    /// expression with six fields (seconds first, in UTC), or null when the job is switched off.
    /// </summary>
    public static IServiceCollection AddRecurringJob<TJob>(this IServiceCollection services, string id,
        Func<IServiceProvider, string?> schedule, Expression<Func<TJob, Task>> run) =>
        services.AddSingleton(new RecurringJobDefinition(id, schedule, (jobs, cron, options) => jobs.AddOrUpdate(id, run, cron, options)));

    /// <summary>Declares a recurring job that always runs on <paramref name="cron"/>.</summary>
    public static IServiceCollection AddRecurringJob<TJob>(this IServiceCollection services, string id, string cron, Expression<Func<TJob, Task>> run) =>
        services.AddRecurringJob(id, _ => cron, run);

    /// <summary>Schedules (or removes) every job the features declared.</summary>
    public static void ScheduleRecurringJobs(this IServiceProvider services)
    {
        var jobs = services.GetRequiredService<IRecurringJobManager>();
        foreach (var job in services.GetServices<RecurringJobDefinition>())
        {
            job.Schedule(jobs, services);
        }
    }
}

/// <summary>
/// The one guard around every recurring job's run: at most one run of a job per process at a time (a run that finds
/// the previous one still working returns at once, except the one successor of a continuous job, below; across
/// processes, leases keep the work apart), the host's stopping
/// token beside Hangfire's, a time budget in which the job keeps doing rounds while there is work, and failures that
/// never fail the Hangfire job: a round that throws (database unreachable or locked, disk full, a bug) is logged, and
/// the next round is tried after <see cref="ErrorPause"/>, so the recurring loop picks up by itself once the cause is
/// gone. Work a failed round had claimed stays leased until its lease passes, and is then claimed again.
/// </summary>
/// <remarks>A singleton, not statics: test hosts sharing a process keep their own guards.</remarks>
public sealed class RecurringJobRunner(IHostApplicationLifetime lifetime, TimeProvider time, ILogger<RecurringJobRunner> logger)
{
    /// <summary>Pause after a failed round, so a dead database is not hammered (and the log not flooded) in a tight loop.</summary>
    public static readonly TimeSpan ErrorPause = TimeSpan.FromSeconds(1);

    /// <summary>Logged again after this many failed rounds in a row, so an outage is visible but not a flood.</summary>
    private const int FailuresPerLogLine = 30;

    private readonly ConcurrentDictionary<string, Guard> _guards = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs rounds of <paramref name="job"/> until a round finds nothing more to do, the <paramref name="budget"/> is
    /// spent (a zero budget: one round) or the host stops. A round returns whether more work may be due right away.
    /// With <paramref name="whenIdle"/>, a round that found nothing waits on it and the run goes on within its budget
    /// (the sweeps: a wake-up signal or a short poll); without it, the run ends. <paramref name="whenDone"/> is awaited
    /// before the guard is released, however the run ended: work a run started in the background finishes within it.
    /// <para>
    /// A continuous job (one with <paramref name="whenIdle"/>) hands over without a gap: the first run that finds the
    /// job working waits as its successor and starts the moment the run ends its budget. Without that, the next run
    /// came with Hangfire's next trigger, 50 to 350 ms later on an idle machine, and every order received meanwhile
    /// waited for its create (the dispatch delay's tail). Other runs that find the job working return at once.
    /// </para>
    /// </summary>
    public async Task RunAsync(string job, TimeSpan budget, Func<CancellationToken, Task<bool>> round, CancellationToken jobToken,
        Func<CancellationToken, Task>? whenIdle = null, Func<Task>? whenDone = null)
    {
        // Hangfire cancels the job token when its server stops; the host's stopping token is the
        // earlier, certain signal (it fires before any hosted service is stopped).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(jobToken, lifetime.ApplicationStopping);
        var token = stopping.Token;
        var guard = _guards.GetOrAdd(job, _ => new Guard());
        if (!await guard.TakeAsync(successorMayWait: whenIdle is not null, token))
        {
            return;
        }

        var running = guard.Running;
        var started = time.GetTimestamp();
        bool Within() => !token.IsCancellationRequested && time.GetElapsedTime(started) < budget;
        try
        {
            do
            {
                bool more;
                try
                {
                    more = await round(token);
                    Succeeded(job);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    Failed(job, ex);
                    if (Within())
                    {
                        await Task.Delay(ErrorPause, time, token);
                    }

                    continue;
                }

                if (!more)
                {
                    if (whenIdle is null)
                    {
                        break;
                    }

                    await whenIdle(token);
                }
            }
            while (Within());
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Shutdown during a pause; each job releases what it claimed but did not start (see DispatchSweep).
        }
        finally
        {
            try
            {
                if (whenDone is not null)
                {
                    await whenDone();
                }
            }
            finally
            {
                running.Release();
            }
        }
    }

    /// <summary>A job's run slot, and the slot of the one run that may wait to succeed it.</summary>
    private sealed class Guard
    {
        public SemaphoreSlim Running { get; } = new(1, 1);

        private readonly SemaphoreSlim _successor = new(1, 1);

        /// <summary>True when this run may go ahead (at once, or as the successor once the running one ended).</summary>
        public async Task<bool> TakeAsync(bool successorMayWait, CancellationToken token)
        {
            if (await Running.WaitAsync(0, CancellationToken.None))
            {
                return true;
            }

            if (!successorMayWait || !await _successor.WaitAsync(0, CancellationToken.None))
            {
                return false;
            }

            try
            {
                await Running.WaitAsync(token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            finally
            {
                _successor.Release();
            }
        }
    }

    private void Failed(string job, Exception ex)
    {
        var failures = _failures.AddOrUpdate(job, 1, (_, n) => n + 1);
        if (failures == 1)
        {
            logger.LogError(ex, "The {Job} job failed; trying again every {Pause} while its run lasts, then at its next run", job, ErrorPause);
        }
        else if (failures % FailuresPerLogLine == 0)
        {
            logger.LogWarning("The {Job} job has failed {Failures} times in a row: {Error}", job, failures, ex.Message);
        }
    }

    private void Succeeded(string job)
    {
        if (_failures.TryRemove(job, out var failures))
        {
            logger.LogInformation("The {Job} job works again after {Failures} failed rounds", job, failures);
        }
    }
}
