using System.Threading.Channels;
using MicoPortal.Server.Incidents;
using MicoPortal.Shared.Incidents;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Alerts;

/// <summary>
/// Fans the incident changes the <see cref="IncidentMonitor"/> saved out to every enabled alert channel.
/// Each channel has its own bounded queue and its own loop, which applies the channel's <see cref="AlertRules"/>
/// and retries a failed send with backoff: <see cref="Enqueue"/> never waits, and a slow or failing channel
/// neither holds up the monitor nor the other channels.
/// <para>
/// The de-duplication memory is in this instance only. That is enough with several portal instances because
/// the monitor hands over a change only when its own save of that change succeeded (a concurrent evaluation
/// elsewhere that loses the race gets no changes), so each change reaches the dispatcher of one instance once.
/// A restart forgets the memory; at worst an alert within the window is sent again.
/// </para>
/// </summary>
public sealed class AlertDispatcher : BackgroundService
{
    private readonly AlertOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertDispatcher> _logger;
    private readonly List<ChannelLoop> _loops;

    public AlertDispatcher(IEnumerable<IAlertChannel> channels, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertDispatcher> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _loops = channels
            .Select(c => (Channel: c, Settings: _options.ChannelNamed(c.Name)))
            .Where(c => c.Settings.Enabled)
            .Select(c => new ChannelLoop(c.Channel, new AlertRules(c.Settings), NewQueue(c.Channel.Name)))
            .ToList();
    }

    /// <summary>Names of the channels alerts go to.</summary>
    public IReadOnlyList<string> EnabledChannels => _loops.Select(l => l.Channel.Name).ToList();

    /// <summary>Queues the change for every enabled channel and returns at once; refreshed evidence (Updated) is not alerted.</summary>
    public void Enqueue(IncidentDto incident, IncidentChange change)
    {
        if (!IncidentAlert.IsAlerted(change))
        {
            return;
        }

        var alert = new IncidentAlert(incident, change, _time.GetUtcNow());
        foreach (var loop in _loops)
        {
            // Drop-oldest queues always take the write; false only once the dispatcher has stopped.
            if (!loop.Queue.Writer.TryWrite(alert))
            {
                _logger.LogWarning("Alert {EventType} for incident {IncidentId} not queued for {Channel}: alerts have stopped",
                    alert.EventType, incident.Id, loop.Channel.Name);
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_loops.Select(loop => RunAsync(loop, stoppingToken)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var loop in _loops)
        {
            loop.Queue.Writer.TryComplete();
        }

        await base.StopAsync(cancellationToken);
    }

    private async Task RunAsync(ChannelLoop loop, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var alert in loop.Queue.Reader.ReadAllAsync(stoppingToken))
            {
                var decision = loop.Rules.Decide(alert);
                if (decision == AlertDecision.Send)
                {
                    await SendAsync(loop.Channel, alert, stoppingToken);
                }
                else if (decision == AlertDecision.QuietHours)
                {
                    _logger.LogInformation("Alert {EventType} for incident {IncidentId} held back on {Channel}: quiet hours ({HeldBack} so far)",
                        alert.EventType, alert.Incident.Id, loop.Channel.Name, loop.Rules.HeldBack);
                }
                else
                {
                    _logger.LogDebug("Alert {EventType} for incident {IncidentId} not sent on {Channel}: {Decision}",
                        alert.EventType, alert.Incident.Id, loop.Channel.Name, decision);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(IAlertChannel channel, IncidentAlert alert, CancellationToken stoppingToken)
    {
        var wait = _options.RetryBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await channel.SendAsync(alert, stoppingToken);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                if (attempt >= _options.Attempts)
                {
                    _logger.LogError(ex, "Alert {EventType} for incident {IncidentId} could not be sent on {Channel} after {Attempts} tries; given up",
                        alert.EventType, alert.Incident.Id, channel.Name, attempt);
                    return;
                }

                _logger.LogWarning(ex, "Alert {EventType} for incident {IncidentId} failed on {Channel} (try {Attempt}); trying again in {Wait}",
                    alert.EventType, alert.Incident.Id, channel.Name, attempt, wait);
            }

            await Task.Delay(wait, _time, stoppingToken);
            wait *= 5;
        }
    }

    private Channel<IncidentAlert> NewQueue(string channelName) =>
        Channel.CreateBounded<IncidentAlert>(
            new BoundedChannelOptions(_options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => _logger.LogWarning("Alert queue of {Channel} is full: alert {EventType} for incident {IncidentId} dropped",
                channelName, dropped.EventType, dropped.Incident.Id));

    private sealed record ChannelLoop(IAlertChannel Channel, AlertRules Rules, Channel<IncidentAlert> Queue);
}
