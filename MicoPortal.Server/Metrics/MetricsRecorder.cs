using MicoPortal.Server.Orders;
using MicoPortal.Server.Telemetry;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Metrics;

/// <summary>
/// Counts delivery outcomes as transitions commit, in memory, per minute, SKU and region.
/// <see cref="MetricsRollupWriter"/> flushes them to <see cref="MetricsMinute"/> rows every second.
/// The same outcomes go to the telemetry counters (<see cref="PortalMetrics"/>).
/// </summary>
public sealed class MetricsRecorder(TimeProvider time, PortalMetrics telemetry)
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<RollupKey, Rollup> _rollups = [];
    private readonly HashSet<RollupKey> _dirty = [];

    /// <summary>Identifies this process's rows; several instances never write the same row.</summary>
    public string Instance { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    public void OrderReceived(Order order)
    {
        Update(order, r => r.Received++);
        telemetry.OrderReceived();
    }

    /// <summary>Called after a transition was saved.</summary>
    public void StatusChanged(Order order, OrderStatus from)
    {
        if (from == order.Status)
        {
            return;
        }

        switch (order.Status)
        {
            case OrderStatus.Delivered:
                Update(order, r =>
                {
                    r.Delivered++;
                    r.Unattended += order.OperatorActions == 0 ? 1 : 0;
                    if (order.LatencyMs is { } latency)
                    {
                        r.Latency.Add(latency);
                    }
                });
                break;
            case OrderStatus.Failed:
                Update(order, r =>
                {
                    r.Failed++;
                    r.Unattended += order.OperatorActions == 0 ? 1 : 0;
                });
                break;
            case OrderStatus.Reversed:
                Update(order, r => r.Reversed++);
                break;
            default:
                return;
        }

        telemetry.OrderCompleted(order.Status, order.LatencyMs);
    }

    /// <summary>Rows changed since the last call, as entities with absolute values.</summary>
    public IReadOnlyList<MetricsMinute> TakeDirty()
    {
        lock (_gate)
        {
            var rows = _dirty.Select(key => ToRow(key, _rollups[key])).ToList();
            _dirty.Clear();
            var cutoff = time.GetUtcNow() - Keep;
            foreach (var old in _rollups.Keys.Where(k => k.Minute < cutoff).ToList())
            {
                _rollups.Remove(old);
            }

            return rows;
        }
    }

    private void Update(Order order, Action<Rollup> change)
    {
        var now = time.GetUtcNow();
        var key = new RollupKey(new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero), order.Sku, order.Region);
        lock (_gate)
        {
            if (!_rollups.TryGetValue(key, out var rollup))
            {
                rollup = new Rollup();
                _rollups[key] = rollup;
            }

            change(rollup);
            _dirty.Add(key);
        }
    }

    private MetricsMinute ToRow(RollupKey key, Rollup rollup) => new()
    {
        Minute = key.Minute,
        Sku = key.Sku,
        Region = key.Region,
        Instance = Instance,
        Received = rollup.Received,
        Delivered = rollup.Delivered,
        Failed = rollup.Failed,
        Reversed = rollup.Reversed,
        Unattended = rollup.Unattended,
        LatencyBuckets = rollup.Latency.Serialize(),
    };

    private readonly record struct RollupKey(DateTimeOffset Minute, string Sku, string Region);

    private sealed class Rollup
    {
        public long Received;
        public long Delivered;
        public long Failed;
        public long Reversed;
        public long Unattended;
        public readonly LatencyHistogram Latency = new();
    }
}
