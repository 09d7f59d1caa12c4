using System.Diagnostics.Metrics;
using MicoPortal.Server.Data;
using MicoPortal.Server.Metrics;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Providers;
using static MicoPortal.Server.Telemetry.PortalTelemetry;

namespace MicoPortal.Server.Telemetry;

/// <summary>
/// The portal's own Meter (<see cref="PortalTelemetry.Name"/>) and every instrument on it (README, Telemetry).
/// Counters and the latency histogram are fed by <see cref="MetricsRecorder"/> as transitions commit; the gauges
/// are read when a scrape or an export asks, from memory only: provider state from the limiters and trackers, the
/// open/stuck/disputed counts from the dashboard's last summary (refreshed in the background when it is old, never
/// queried inside the callback).
/// </summary>
public sealed class PortalMetrics : IDisposable
{
    /// <summary>Received to Delivered, 50 ms to 15 minutes.</summary>
    public static readonly IReadOnlyList<double> LatencyBucketsMs =
        [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000];

    /// <summary>How old the dashboard's summary may be before a gauge read asks for a fresh one (in the background).</summary>
    public static readonly TimeSpan CountsRefreshAfter = TimeSpan.FromSeconds(10);

    private readonly Meter _meter;
    private readonly Counter<long> _received;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _latency;
    private readonly MetricsQueries _queries;
    private readonly TimeProvider _time;
    private readonly ILogger<PortalMetrics> _logger;
    private int _refreshing;

    public PortalMetrics(IMeterFactory meters, ProviderCatalog providers, ProviderStates states, MetricsQueries queries, IConfiguration configuration,
        TimeProvider time, ILogger<PortalMetrics> logger)
    {
        _queries = queries;
        _time = time;
        _logger = logger;
        _meter = meters.Create(Name);

        _received = _meter.CreateCounter<long>("micoportal.orders.received", "{order}", "Orders accepted by this instance.");
        _completed = _meter.CreateCounter<long>("micoportal.orders.completed", "{order}", "Orders that reached a final status on this instance, by status.");
        _latency = _meter.CreateHistogram("micoportal.delivery.latency", "ms", "Received to Delivered, per order delivered on this instance.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBucketsMs });

        _meter.CreateObservableGauge("micoportal.orders.open", () => OpenOrders(), "{order}", "Orders not final, by state (pending, unknown); all instances.");
        _meter.CreateObservableGauge("micoportal.orders.stuck", () => Counts(s => s.Stuck), "{order}", "Orders not final after the SLA; all instances.");
        _meter.CreateObservableGauge("micoportal.orders.disputed", () => Counts(s => s.Disputed), "{order}", "Orders whose sources disagree; all instances.");

        // Per provider (docs/api.md section 8), from memory.
        _meter.CreateObservableGauge("micoportal.provider.health", () => states.List().SelectMany(p => Enum.GetValues<ProviderHealth>().Select(h =>
            new Measurement<int>(p.Health == h ? 1 : 0, Tag(Attributes.Provider, p.Name), Tag(Attributes.Health, h.ToString())))),
            null, "1 for the provider's current health (Healthy, Degraded, Down), 0 for the others.");
        _meter.CreateObservableGauge("micoportal.provider.paused", () => states.List().Select(p => new Measurement<int>(p.Paused ? 1 : 0, Tag(Attributes.Provider, p.Name))),
            null, "1 while an Admin has paused the provider.");
        _meter.CreateObservableGauge("micoportal.provider.success_ratio", () => states.List().Where(p => p.SuccessRate is not null)
            .Select(p => new Measurement<double>(p.SuccessRate!.Value, Tag(Attributes.Provider, p.Name))),
            null, "Share of the provider's recent attempts that delivered (this instance).");
        _meter.CreateObservableGauge("micoportal.provider.latency_p95", () => states.List().Where(p => p.LatencyP95Ms is not null)
            .Select(p => new Measurement<double>(p.LatencyP95Ms!.Value, Tag(Attributes.Provider, p.Name))),
            "ms", "p95 latency of the provider's last answered calls.");
        _meter.CreateObservableGauge("micoportal.provider.balance", () => states.List().Where(p => p.Balance is not null)
            .Select(p => new Measurement<double>(double.Parse(p.Balance!, System.Globalization.CultureInfo.InvariantCulture), Tag(Attributes.Provider, p.Name))),
            null, "The provider's prepaid float, as last read.");
        _meter.CreateObservableUpDownCounter("micoportal.provider.in_flight", () => providers.PipelineStatus().SelectMany(s => new[]
            {
                new Measurement<int>(s.InFlightCreates, Tag(Attributes.Provider, s.Provider), Tag(Attributes.CallKind, "create")),
                new Measurement<int>(s.InFlightQueries, Tag(Attributes.Provider, s.Provider), Tag(Attributes.CallKind, "query")),
            }), "{call}", "Calls on the wire to the provider from this instance.");
        _meter.CreateObservableGauge("micoportal.provider.concurrency_limit", () => providers.PipelineStatus()
            .Select(s => new Measurement<int>(s.ConcurrencyLimit, Tag(Attributes.Provider, s.Provider))),
            "{call}", "The adaptive limit of calls in flight to the provider.");
        _meter.CreateObservableGauge("micoportal.provider.latency", () => providers.PipelineStatus()
            .Select(s => new Measurement<double>(s.LatencyMs, Tag(Attributes.Provider, s.Provider))),
            "ms", "The provider's recent call latency, as the adaptive limit sees it.");

        // Memory, so a slow leak shows on a dashboard (and in the soak benchmark): the working set alone (the runtime's
        // dotnet.process.memory.working_set) cannot tell a leak from the GC's habit of keeping a large heap when memory
        // is plentiful; what is still alive after the last full collection can.
        _meter.CreateObservableGauge("micoportal.gc.heap.after_full_gc", HeapAfterFullGc, "By",
            "Managed heap in use (less fragmentation) after the last full (generation 2) collection.");
        // SQLite's own allocations (page caches, statements, sorts) are native memory the GC numbers miss. Only on
        // SQLite: on SQL Server or PostgreSQL the SQLite library is never initialised and asking it would throw.
        if (DatabaseOptions.From(configuration).Provider == DatabaseProvider.Sqlite)
        {
            _meter.CreateObservableGauge("micoportal.sqlite.memory.used", () => SQLitePCL.raw.sqlite3_memory_used(), "By", "Memory SQLite has allocated in this process.");
            _meter.CreateObservableGauge("micoportal.sqlite.memory.highwater", () => SQLitePCL.raw.sqlite3_memory_highwater(0), "By", "Most memory SQLite has held at once in this process.");
        }
    }

    public void OrderReceived() => _received.Add(1);

    /// <summary>An order reached a final status; <paramref name="latencyMs"/> for a delivery.</summary>
    public void OrderCompleted(OrderStatus status, long? latencyMs)
    {
        _completed.Add(1, Tag(Attributes.Status, status.ToString()));
        if (status == OrderStatus.Delivered && latencyMs is { } latency)
        {
            _latency.Record(latency);
        }
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> OpenOrders() => Summary() is { } s
        ? [new(s.Pending, Tag(Attributes.State, "pending")), new(s.Unknown, Tag(Attributes.State, "unknown"))]
        : [];

    private IEnumerable<Measurement<long>> Counts(Func<MetricsSummary, long> count) => Summary() is { } s ? [new(count(s))] : [];

    /// <summary>
    /// The dashboard's last summary (open, stuck and disputed are counts over all orders, the same for any window).
    /// When it is old, a fresh one is asked for in the background and this read answers with the old one.
    /// </summary>
    private MetricsSummary? Summary()
    {
        var latest = _queries.Latest;
        if ((latest is null || _time.GetUtcNow() - latest.GeneratedAt > CountsRefreshAfter) && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await _queries.SummaryAsync(TimeSpan.FromMinutes(15), CancellationToken.None);
                }
                catch (Exception ex)
                {
                    _logger.LogWarning(ex, "Refreshing the order counts for the metrics failed; the last ones are reported");
                }
                finally
                {
                    Volatile.Write(ref _refreshing, 0);
                }
            });
        }

        return latest;
    }

    private static long HeapAfterFullGc()
    {
        var lastFull = new[] { GC.GetGCMemoryInfo(GCKind.FullBlocking), GC.GetGCMemoryInfo(GCKind.Background) }.MaxBy(i => i.Index)!;
        return lastFull.Index == 0 ? 0 : lastFull.HeapSizeBytes - lastFull.FragmentedBytes;
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
