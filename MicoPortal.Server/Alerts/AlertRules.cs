using MicoPortal.Server.Incidents;
using MicoPortal.Shared.Incidents;

namespace MicoPortal.Server.Alerts;

/// <summary>What a channel's rules say about one alert.</summary>
public enum AlertDecision
{
    Send,
    NotAlerted,
    BelowSeverity,
    QuietHours,
    Duplicate,
}

/// <summary>
/// One channel's rules: severity, quiet hours, de-duplication. Holds the channel's de-duplication memory,
/// so it is used by one consumer at a time (the channel's loop in <see cref="AlertDispatcher"/>).
/// </summary>
public sealed class AlertRules(AlertChannelOptions options)
{
    // Last time each (incident, change) was let through, and each series' last announced opening.
    private readonly Dictionary<(long IncidentId, IncidentChange Change), DateTimeOffset> _sent = [];
    private readonly Dictionary<(string Metric, string? Sku, string? Region), DateTimeOffset> _opened = [];

    /// <summary>Warnings held back by quiet hours so far (they are logged one by one as well).</summary>
    public long HeldBack { get; private set; }

    /// <summary>Judges the alert at its own time and, when it is to be sent, remembers it for de-duplication.</summary>
    public AlertDecision Decide(IncidentAlert alert)
    {
        if (!IncidentAlert.IsAlerted(alert.Change))
        {
            return AlertDecision.NotAlerted;
        }

        if (alert.Incident.Severity < options.MinSeverity)
        {
            return AlertDecision.BelowSeverity;
        }

        // Quiet hours hold back warnings and let critical incidents through. A warning by definition can wait for
        // working hours (and an incident still open then is on the dashboard), so it is dropped rather than queued
        // for the morning, which would only replay a night of stale openings and resolutions at once; a critical
        // incident means orders are failing now and someone must act, whatever the hour.
        if (alert.Incident.Severity < IncidentSeverity.Critical && options.QuietHours.Contains(alert.At))
        {
            HeldBack++;
            return AlertDecision.QuietHours;
        }

        if (IsDuplicate(alert))
        {
            return AlertDecision.Duplicate;
        }

        return AlertDecision.Send;
    }

    private bool IsDuplicate(IncidentAlert alert)
    {
        var window = options.DeduplicateWindow;
        if (window <= TimeSpan.Zero)
        {
            return false;
        }

        Forget(alert.At - window);
        var key = (alert.Incident.Id, alert.Change);
        var series = (alert.Incident.Metric, alert.Incident.Slice.Sku, alert.Incident.Slice.Region);
        // A series that resolves and opens again within the window is one problem flapping: its first opening
        // was announced, the next ones are not.
        if (_sent.ContainsKey(key) || (alert.Change == IncidentChange.Opened && _opened.ContainsKey(series)))
        {
            return true;
        }

        _sent[key] = alert.At;
        if (alert.Change == IncidentChange.Opened)
        {
            _opened[series] = alert.At;
        }

        return false;
    }

    /// <summary>Drops what left the window, so the memory stays as small as the window's alerts.</summary>
    private void Forget(DateTimeOffset before)
    {
        foreach (var (key, at) in _sent)
        {
            if (at <= before)
            {
                _sent.Remove(key);
            }
        }

        foreach (var (key, at) in _opened)
        {
            if (at <= before)
            {
                _opened.Remove(key);
            }
        }
    }
}
