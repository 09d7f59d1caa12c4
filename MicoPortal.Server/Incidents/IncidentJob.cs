using Hangfire;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Incidents;

/// <summary>The recurring Hangfire job that runs the <see cref="IncidentMonitor"/>.</summary>
public sealed class IncidentJob(IncidentMonitor monitor, IHostApplicationLifetime lifetime, ILogger<IncidentJob> logger)
{
    public const string JobId = "incident-monitor";

    public static void Schedule(IRecurringJobManager jobs, IncidentOptions options)
    {
        if (!options.Enabled)
        {
            jobs.RemoveIfExists(JobId);
            return;
        }

        jobs.AddOrUpdate<IncidentJob>(JobId, j => j.EvaluateAsync(CancellationToken.None),
            $"*/{options.EvaluateEverySeconds} * * * * *", new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }

    /// <summary>A failed round (database away) is logged and the next one tries again; the recurring job never fails.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Detect anomalies and keep incidents")]
    public async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await monitor.EvaluateAsync(stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Incident evaluation failed; the next round tries again");
        }
    }
}
