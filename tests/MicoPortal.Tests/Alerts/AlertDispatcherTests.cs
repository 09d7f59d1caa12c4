using MicoPortal.Server.Alerts;
using MicoPortal.Server.Incidents;
using MicoPortal.Shared.Incidents;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static MicoPortal.Tests.Alerts.Alerting;

namespace MicoPortal.Tests.Alerts;

/// <summary>The per-channel rules as the dispatcher applies them, on a fake clock.</summary>
public sealed class AlertDispatcherTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_channel_for_critical_alerts_leaves_warnings_and_their_resolution_out()
    {
        var time = new FakeTimeProvider(Morning);
        var log = new RecordingChannel(LogAlertChannel.ChannelName);
        await using var running = await StartAsync(new AlertOptions { Log = { Enabled = true, MinSeverity = IncidentSeverity.Critical } }, time, log);

        running.Dispatcher.Enqueue(Incident(1, IncidentSeverity.Warning), IncidentChange.Opened);
        running.Dispatcher.Enqueue(Incident(1, IncidentSeverity.Warning, resolvedAt: Morning), IncidentChange.Resolved);
        running.Dispatcher.Enqueue(Incident(2, IncidentSeverity.Critical), IncidentChange.Opened);

        var sent = await SentAsync(running, log, 1);
        Assert.Equal(2, Assert.Single(sent).Incident.Id);
    }

    [Fact]
    public async Task Quiet_hours_over_midnight_hold_warnings_back_and_let_critical_alerts_through()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 23, 30, 0, TimeSpan.Zero));
        var log = new RecordingChannel(LogAlertChannel.ChannelName);
        var options = new AlertOptions { Log = { Enabled = true, QuietHours = { From = new TimeOnly(22, 0), To = new TimeOnly(7, 0) } } };
        await using var running = await StartAsync(options, time, log);

        running.Dispatcher.Enqueue(Incident(1, IncidentSeverity.Warning), IncidentChange.Opened); // 23:30: held back
        running.Dispatcher.Enqueue(Incident(2, IncidentSeverity.Critical), IncidentChange.Opened); // 23:30: through
        time.SetUtcNow(new DateTimeOffset(2026, 11, 25, 6, 59, 0, TimeSpan.Zero));
        running.Dispatcher.Enqueue(Incident(3, IncidentSeverity.Warning), IncidentChange.Opened); // 06:59: held back
        time.SetUtcNow(new DateTimeOffset(2026, 11, 25, 7, 0, 0, TimeSpan.Zero));
        running.Dispatcher.Enqueue(Incident(4, IncidentSeverity.Warning), IncidentChange.Opened); // 07:00: over

        var sent = await SentAsync(running, log, 2);
        Assert.Equal([2L, 4L], sent.Select(a => a.Incident.Id));
    }

    [Fact]
    public void Quiet_hours_are_read_in_their_own_time_zone()
    {
        var rules = new AlertRules(new AlertChannelOptions
        {
            Enabled = true,
            QuietHours = { From = new TimeOnly(22, 0), To = new TimeOnly(7, 0), TimeZone = "Asia/Dubai" }, // UTC+4, no daylight saving
        });

        Assert.Equal(AlertDecision.QuietHours, rules.Decide(Alert(Incident(1, IncidentSeverity.Warning), IncidentChange.Opened, new DateTimeOffset(2026, 11, 24, 19, 0, 0, TimeSpan.Zero))));
        // 05:00 UTC would be quiet in UTC; in Dubai it is 09:00.
        Assert.Equal(AlertDecision.Send, rules.Decide(Alert(Incident(2, IncidentSeverity.Warning), IncidentChange.Opened, new DateTimeOffset(2026, 11, 25, 5, 0, 0, TimeSpan.Zero))));
        Assert.Equal(1, rules.HeldBack);
    }

    [Fact]
    public async Task The_same_change_is_sent_once_within_the_window_and_again_after_it()
    {
        var time = new FakeTimeProvider(Morning);
        var log = new RecordingChannel(LogAlertChannel.ChannelName);
        await using var running = await StartAsync(new AlertOptions { Log = { Enabled = true, DeduplicateMinutes = 30 } }, time, log);

        running.Dispatcher.Enqueue(Incident(1), IncidentChange.Escalated);
        time.Advance(TimeSpan.FromMinutes(29));
        running.Dispatcher.Enqueue(Incident(1), IncidentChange.Escalated); // within the window: a duplicate
        running.Dispatcher.Enqueue(Incident(1), IncidentChange.Resolved); // another change: sent
        time.Advance(TimeSpan.FromMinutes(2));
        running.Dispatcher.Enqueue(Incident(1), IncidentChange.Escalated); // 31 minutes after the first: sent again

        var sent = await SentAsync(running, log, 3);
        Assert.Equal([IncidentChange.Escalated, IncidentChange.Resolved, IncidentChange.Escalated], sent.Select(a => a.Change));
        Assert.Equal([Morning, Morning.AddMinutes(29), Morning.AddMinutes(31)], sent.Select(a => a.At));
    }

    [Fact]
    public async Task A_series_that_opens_again_within_the_window_is_not_announced_twice()
    {
        var time = new FakeTimeProvider(Morning);
        var log = new RecordingChannel(LogAlertChannel.ChannelName);
        await using var running = await StartAsync(new AlertOptions { Log = { Enabled = true, DeduplicateMinutes = 30 } }, time, log);

        running.Dispatcher.Enqueue(Incident(1), IncidentChange.Opened);
        time.Advance(TimeSpan.FromMinutes(5));
        running.Dispatcher.Enqueue(Incident(1, resolvedAt: time.GetUtcNow()), IncidentChange.Resolved);
        time.Advance(TimeSpan.FromMinutes(2));
        running.Dispatcher.Enqueue(Incident(2), IncidentChange.Opened); // same metric and slice: flapping
        running.Dispatcher.Enqueue(Incident(3, region: "GLOBAL"), IncidentChange.Opened); // another slice
        time.Advance(TimeSpan.FromMinutes(30));
        running.Dispatcher.Enqueue(Incident(4), IncidentChange.Opened); // the window is over

        var sent = await SentAsync(running, log, 4);
        Assert.Equal([(1L, IncidentChange.Opened), (1L, IncidentChange.Resolved), (3L, IncidentChange.Opened), (4L, IncidentChange.Opened)],
            sent.Select(a => (a.Incident.Id, a.Change)));
    }

    [Fact]
    public async Task Updated_evidence_is_not_alerted()
    {
        var time = new FakeTimeProvider(Morning);
        var log = new RecordingChannel(LogAlertChannel.ChannelName);
        await using var running = await StartAsync(new AlertOptions(), time, log);

        running.Dispatcher.Enqueue(Incident(1), IncidentChange.Updated);
        running.Dispatcher.Enqueue(Incident(2), IncidentChange.Opened);

        var sent = await SentAsync(running, log, 1);
        Assert.Equal(2, Assert.Single(sent).Incident.Id);
        Assert.Equal(AlertDecision.NotAlerted, new AlertRules(new AlertChannelOptions()).Decide(Alert(Incident(1), IncidentChange.Updated, Morning)));
    }

    [Fact]
    public async Task A_failing_channel_is_tried_three_times_with_backoff_and_never_stops_another()
    {
        var time = new FakeTimeProvider(Morning);
        var broken = new RecordingChannel(WebhookAlertChannel.ChannelName, time) { FailFirst = int.MaxValue };
        var log = new RecordingChannel(LogAlertChannel.ChannelName);
        var options = new AlertOptions { Webhook = { Enabled = true }, Log = { Enabled = true } };
        await using var running = await StartAsync(options, time, broken, log);
        Assert.Equal([WebhookAlertChannel.ChannelName, LogAlertChannel.ChannelName], running.Dispatcher.EnabledChannels);

        running.Dispatcher.Enqueue(Incident(1), IncidentChange.Opened);
        running.Dispatcher.Enqueue(Incident(2, sku: "MICO-COINS-500"), IncidentChange.Opened);

        // The log channel has both while the broken one is still on its first alert's retries (the clock has not moved).
        Assert.Equal([1L, 2L], (await SentAsync(running, log, 2)).Select(a => a.Incident.Id));
        Assert.Empty(broken.Sent);

        // On the fake clock: the first alert is tried at once, 1 s and 5 s later, then given up; the second one's first try follows.
        Assert.True(await PortalClient.EventuallyAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            return Task.FromResult(broken.Tries >= 4);
        }, TimeSpan.FromSeconds(60)));
        var tries = broken.TriedAt.Take(4).ToList();
        Assert.InRange(tries[1] - tries[0], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5));
        Assert.InRange(tries[2] - tries[1], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.5));
        Assert.InRange(tries[3] - tries[2], TimeSpan.Zero, TimeSpan.FromSeconds(0.5));
        Assert.Empty(broken.Sent);
    }

    [Fact]
    public async Task A_channel_that_recovers_gets_the_alert_on_a_retry()
    {
        var time = new FakeTimeProvider(Morning);
        var flaky = new RecordingChannel(LogAlertChannel.ChannelName) { FailFirst = 2 };
        await using var running = await StartAsync(new AlertOptions(), time, flaky);

        running.Dispatcher.Enqueue(Incident(1), IncidentChange.Opened);

        Assert.True(await PortalClient.EventuallyAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(!flaky.Sent.IsEmpty);
        }, TimeSpan.FromSeconds(10)));
        Assert.Equal(3, flaky.Tries);
    }

    private const long MarkerId = long.MaxValue;

    /// <summary>
    /// Everything the channel will send of what was enqueued so far: each channel works through its queue in order, so
    /// once a marker enqueued last has been sent, nothing before it is still on its way (no sleep-then-look for extras).
    /// The marker is critical, in a slice of its own, so no rule holds it back.
    /// </summary>
    private static async Task<IReadOnlyList<IncidentAlert>> SentAsync(RunningDispatcher running, RecordingChannel channel, int count)
    {
        running.Dispatcher.Enqueue(Incident(MarkerId, IncidentSeverity.Critical, metric: "marker", sku: "MARKER", region: "MARKER"), IncidentChange.Opened);
        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(channel.Sent.Any(a => a.Incident.Id == MarkerId)), TimeSpan.FromSeconds(30)),
            $"the marker should follow the alerts on {channel.Name}");
        var sent = channel.Sent.Where(a => a.Incident.Id != MarkerId).ToList();
        Assert.Equal(count, sent.Count);
        return sent;
    }
}
