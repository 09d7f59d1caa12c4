using MicoPortal.Server.Metrics;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace MicoPortal.Server.Realtime;

/// <summary>
/// Pushes committed order changes to dashboards at most every 250 ms (one message per client per
/// flush, so at most 4 a second), newest state per order, and the metrics summary every second.
/// With the Redis backplane (several instances) each instance sends its own changes to every
/// dashboard, batched the same way, so a dashboard gets at most 4 OrdersChanged a second from each instance.
/// </summary>
public sealed class OperationsBroadcaster(
    OrderChangeFeed feed,
    IHubContext<OperationsHub, IOperationsDashboard> hub,
    HubConnections connections,
    MetricsQueries metrics,
    TimeProvider time,
    ILogger<OperationsBroadcaster> logger) : BackgroundService
{
    public static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(250);
    public const int MaxChangesPerMessage = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = feed.Subscribe();
        using var timer = new PeriodicTimer(FlushEvery, time);
        var pending = new Dictionary<long, OrderChange>();
        var lastMetrics = DateTimeOffset.MinValue;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                while (subscription.Reader.TryRead(out var change))
                {
                    pending[change.Id] = change;
                }

                // With a backplane, dashboards on other instances listen too: this instance's changes go out through Redis.
                if (connections.Count == 0 && !connections.ScaleOut)
                {
                    pending.Clear();
                    continue;
                }

                try
                {
                    if (pending.Count > 0)
                    {
                        // Under a burst, send the newest changes; the grid reloads its page anyway.
                        var batch = pending.Values.OrderByDescending(c => c.ChangedAt).Take(MaxChangesPerMessage).ToArray();
                        pending.Clear();
                        await hub.Clients.All.OrdersChanged(batch, stoppingToken);
                    }

                    var now = time.GetUtcNow();
                    if (connections.Count > 0 && now - lastMetrics >= TimeSpan.FromSeconds(1))
                    {
                        lastMetrics = now;
                        // The summary is read from the shared rollups, the same on every instance: each sends it to its own dashboards only.
                        var summary = await metrics.SummaryAsync(TimeSpan.FromMinutes(15), stoppingToken);
                        var listeners = connections.ScaleOut ? hub.Clients.Group(connections.LocalGroup) : hub.Clients.All;
                        await listeners.MetricsUpdated(summary, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Dashboard push failed; the next flush tries again");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
