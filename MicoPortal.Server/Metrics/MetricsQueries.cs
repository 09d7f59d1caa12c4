using System.Text.RegularExpressions;
using MicoPortal.Server.Data;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Metrics;

/// <summary>
/// The dashboard's numbers, from the per-minute rollups plus indexed counts of open, stuck and
/// disputed orders: never a scan of the orders table. Summaries are cached for a second, which is
/// how often they are pushed anyway.
/// </summary>
public sealed partial class MetricsQueries(IDbContextFactory<PortalDbContext> dbFactory, ProviderCatalog providers, ProviderStates providerStates, TimeProvider time)
{
    public static readonly TimeSpan MaxWindow = TimeSpan.FromHours(24);
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<TimeSpan, (DateTimeOffset At, MetricsSummary Summary)> _cache = [];
    private MetricsSummary? _latest;

    /// <summary>The newest summary computed, of any window: what the telemetry gauges read without a query.</summary>
    public MetricsSummary? Latest => Volatile.Read(ref _latest);

    /// <summary>Parses "15m", "1h", "90s" (up to 24 h).</summary>
    public static bool TryParseWindow(string? text, out TimeSpan window)
    {
        window = TimeSpan.FromMinutes(15);
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var match = WindowPattern().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups[1].Value, out var amount) || amount <= 0)
        {
            return false;
        }

        window = match.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromHours(amount),
        };
        return window <= MaxWindow;
    }

    public static string FormatWindow(TimeSpan window) =>
        window.TotalHours >= 1 && window.TotalHours % 1 == 0 ? $"{window.TotalHours:0}h"
        : window.TotalMinutes >= 1 && window.TotalMinutes % 1 == 0 ? $"{window.TotalMinutes:0}m"
        : $"{window.TotalSeconds:0}s";

    public async Task<MetricsSummary> SummaryAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_cache.TryGetValue(window, out var cached) && now - cached.At < CacheFor)
            {
                return cached.Summary;
            }
        }

        var summary = await ComputeAsync(window, now, cancellationToken);
        lock (_gate)
        {
            _cache[window] = (now, summary);
        }

        Volatile.Write(ref _latest, summary);

        return summary;
    }

    public async Task<MetricsTimeseries> TimeseriesAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var from = FloorToMinute(now - window);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.MetricsMinutes.AsNoTracking().Where(m => m.Minute >= from).ToListAsync(cancellationToken);
        var byMinute = rows.GroupBy(r => r.Minute).ToDictionary(g => g.Key, g => g.ToList());
        var points = new List<MetricsPoint>();
        for (var minute = from; minute <= now; minute = minute.AddMinutes(1))
        {
            var group = byMinute.GetValueOrDefault(minute) ?? [];
            var latency = new LatencyHistogram();
            foreach (var row in group)
            {
                latency.Merge(LatencyHistogram.Parse(row.LatencyBuckets));
            }

            points.Add(new MetricsPoint(minute, group.Sum(r => r.Delivered), group.Sum(r => r.Failed), group.Sum(r => r.Received), latency.Percentile(95)));
        }

        return new MetricsTimeseries(points);
    }

    private async Task<MetricsSummary> ComputeAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Whole minutes overlapping the window: the current minute counts as it fills.
        var from = FloorToMinute(now - window);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.MetricsMinutes.AsNoTracking().Where(m => m.Minute >= from).ToListAsync(cancellationToken);
        var open = await db.Orders.AsNoTracking()
            .Where(o => o.Status == OrderStatus.Received || o.Status == OrderStatus.Submitted || o.Status == OrderStatus.Unknown)
            .GroupBy(o => o.Status)
            .Select(g => new { Status = g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        // Bare booleans on purpose: they match the partial indexes that hold only flagged orders,
        // so each count reads just those entries (0.1 ms at a million orders).
        var stuck = await db.Orders.LongCountAsync(o => o.Stuck, cancellationToken);
        var disputed = await db.Orders.LongCountAsync(o => o.Disputed, cancellationToken);

        var latency = new LatencyHistogram();
        foreach (var row in rows)
        {
            latency.Merge(LatencyHistogram.Parse(row.LatencyBuckets));
        }

        long delivered = rows.Sum(r => r.Delivered), failed = rows.Sum(r => r.Failed), reversed = rows.Sum(r => r.Reversed);
        var outcomes = delivered + failed;
        var minutes = Math.Max(1.0, Math.Min(window.TotalMinutes, (now - from).TotalMinutes));
        return new MetricsSummary(
            SuccessRate: outcomes == 0 ? 1.0 : Math.Round((double)delivered / outcomes, 4),
            Delivered: delivered,
            Failed: failed,
            Reversed: reversed,
            Pending: open.Where(o => o.Status is OrderStatus.Received or OrderStatus.Submitted).Sum(o => o.Count),
            Unknown: open.Where(o => o.Status == OrderStatus.Unknown).Sum(o => o.Count),
            Stuck: stuck,
            Disputed: disputed,
            LatencyMs: new LatencyPercentiles(latency.Percentile(50), latency.Percentile(95), latency.Percentile(99)),
            ThroughputPerMinute: Math.Round(outcomes / minutes, 1),
            AutomationRate: outcomes == 0 ? 1.0 : Math.Round((double)rows.Sum(r => r.Unattended) / outcomes, 4),
            Window: FormatWindow(window),
            GeneratedAt: now,
            Pipeline: providers.PipelineStatus(),
            Providers: providerStates.List());
    }

    private static DateTimeOffset FloorToMinute(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    [GeneratedRegex(@"^([0-9]{1,6})([smh])\z")]
    private static partial Regex WindowPattern();
}
