using MicoPortal.Server.Incidents;

namespace MicoPortal.Server.Alerts;

/// <summary>
/// Writes the alert as one structured log line: a warning for an opening or escalation, information for a
/// resolution. Needs nothing set up, so it is on by default and alerts reach whatever collects the logs.
/// </summary>
public sealed class LogAlertChannel(ILogger<LogAlertChannel> logger) : IAlertChannel
{
    public const string ChannelName = "Log";

    public string Name => ChannelName;

    public Task SendAsync(IncidentAlert alert, CancellationToken cancellationToken)
    {
        var incident = alert.Incident;
        logger.Log(alert.Change == IncidentChange.Resolved ? LogLevel.Information : LogLevel.Warning,
            "Alert {EventType}: {Title}. Incident {IncidentId}, {Severity} {Metric} for {Sku}/{Region} since {StartedAt}: {Summary}",
            alert.EventType, alert.Title, incident.Id, incident.Severity, incident.Metric, incident.Slice.Sku, incident.Slice.Region,
            incident.StartedAt, incident.Evidence.Summary);
        return Task.CompletedTask;
    }
}
