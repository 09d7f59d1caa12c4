using Hangfire;
using MicoPortal.Server.Infrastructure;

namespace MicoPortal.Server.Incidents;

/// <summary>The recurring Hangfire job that runs the <see cref="IncidentMonitor"/>, one round per run.</summary>
public sealed class IncidentJob(IncidentMonitor monitor, RecurringJobRunner runner)
{
    public const string JobId = "incident-monitor";

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Detect anomalies and keep incidents")]
    public Task EvaluateAsync(CancellationToken cancellationToken) =>
        runner.RunAsync(JobId, TimeSpan.Zero, async token =>
        {
            await monitor.EvaluateAsync(token);
            return false;
        }, cancellationToken);
}
