using MicoPortal.Server.Incidents;
using MicoPortal.Shared.Incidents;

namespace MicoPortal.Server.Alerts;

/// <summary>
/// One way of telling people about an incident (webhook, e-mail, log). The <see cref="AlertDispatcher"/>
/// applies the channel's rules first; a channel only delivers, and throws when it could not, so the
/// dispatcher can try again.
/// </summary>
public interface IAlertChannel
{
    /// <summary>The channel's name, also its configuration section under <c>Alerts</c> (<c>Webhook</c>, <c>Email</c>, <c>Log</c>).</summary>
    string Name { get; }

    Task SendAsync(IncidentAlert alert, CancellationToken cancellationToken);
}

/// <summary>What happened to an incident, and when: the unit every channel sends.</summary>
public sealed record IncidentAlert(IncidentDto Incident, IncidentChange Change, DateTimeOffset At)
{
    /// <summary>The event name in webhooks: <c>incident.opened</c>, <c>incident.escalated</c>, <c>incident.resolved</c>.</summary>
    public string EventType => "incident." + Change.ToString().ToLowerInvariant();

    /// <summary>One line for a subject or a chat message: <c>[Critical] Success rate drop for MICO-COINS-100 · MENA opened</c>.</summary>
    public string Title =>
        $"[{Incident.Severity}] {IncidentWording.Metric(Incident.Metric)} for {IncidentWording.Slice(Incident.Slice)} {Change.ToString().ToLowerInvariant()}";

    /// <summary>Changes worth telling someone about: a refreshed evidence (<see cref="IncidentChange.Updated"/>) is not.</summary>
    public static bool IsAlerted(IncidentChange change) => change != IncidentChange.Updated;
}
