using System.Globalization;
using System.Text;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Providers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MicoPortal.Server.Metrics;

/// <summary>Operator metrics (docs/api.md section 3) and the Prometheus scrape endpoint.</summary>
public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/metrics").WithTags("Metrics").RequireAuthorization(Auth.Policies.Operator);
        group.MapGet("/summary", GetSummary);
        group.MapGet("/timeseries", GetTimeseries);
        app.MapGet("/metrics", GetPrometheus).WithTags("Metrics").AddEndpointFilter<MetricsScrapeFilter>();
        return app;
    }

    public static async Task<Results<Ok<MetricsSummary>, ValidationProblem>> GetSummary(string? window, MetricsQueries metrics, CancellationToken cancellationToken) =>
        MetricsQueries.TryParseWindow(window, out var span)
            ? TypedResults.Ok(await metrics.SummaryAsync(span, cancellationToken))
            : InvalidWindow();

    public static async Task<Results<Ok<MetricsTimeseries>, ValidationProblem>> GetTimeseries(string? window, MetricsQueries metrics, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(window))
        {
            window = "60m";
        }

        return MetricsQueries.TryParseWindow(window, out var span)
            ? TypedResults.Ok(await metrics.TimeseriesAsync(span, cancellationToken))
            : InvalidWindow();
    }

    public static async Task<ContentHttpResult> GetPrometheus(MetricsQueries metrics, MetricsRecorder recorder, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var s = await metrics.SummaryAsync(TimeSpan.FromMinutes(15), cancellationToken);
        var text = new StringBuilder();
        void Metric(string name, string type, string help, params (string Labels, double Value)[] samples)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value) in samples)
            {
                text.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        Metric("micoportal_orders_received_total", "counter", "Orders accepted by this instance.", ("", recorder.TotalReceived));
        Metric("micoportal_orders_completed_total", "counter", "Orders that reached a final status on this instance.",
            ($"{{status=\"{OrderStatus.Delivered}\"}}", recorder.TotalDelivered),
            ($"{{status=\"{OrderStatus.Failed}\"}}", recorder.TotalFailed),
            ($"{{status=\"{OrderStatus.Reversed}\"}}", recorder.TotalReversed));
        Metric("micoportal_orders_open", "gauge", "Orders not final, by kind.",
            ("{state=\"pending\"}", s.Pending), ("{state=\"unknown\"}", s.Unknown));
        Metric("micoportal_orders_stuck", "gauge", "Orders not final after the SLA.", ("", s.Stuck));
        Metric("micoportal_orders_disputed", "gauge", "Orders whose sources disagree.", ("", s.Disputed));
        Metric("micoportal_success_ratio", "gauge", "Delivered / (delivered + failed) over the last 15 minutes.", ("", s.SuccessRate));
        Metric("micoportal_delivery_latency_ms", "gauge", "Received to delivered, last 15 minutes.",
            ("{quantile=\"0.5\"}", s.LatencyMs.P50), ("{quantile=\"0.95\"}", s.LatencyMs.P95), ("{quantile=\"0.99\"}", s.LatencyMs.P99));

        // Per provider (docs/api.md section 8). Names are [a-z0-9-], safe as label values.
        var providers = s.Providers ?? [];
        Metric("micoportal_provider_health", "gauge", "1 for the provider's current health (Healthy, Degraded, Down).",
            [.. providers.SelectMany(p => Enum.GetValues<ProviderHealth>().Select(h => ($"{{provider=\"{p.Name}\",health=\"{h}\"}}", p.Health == h ? 1.0 : 0.0)))]);
        Metric("micoportal_provider_paused", "gauge", "1 while an Admin has paused the provider.", [.. providers.Select(p => (Label(p), p.Paused ? 1.0 : 0.0))]);
        Metric("micoportal_provider_in_flight", "gauge", "Calls on the wire to the provider from this instance.", [.. providers.Select(p => (Label(p), (double)p.InFlight))]);
        Metric("micoportal_provider_success_ratio", "gauge", "Share of the provider's attempts that delivered (last 15 minutes, this instance).",
            [.. providers.Where(p => p.SuccessRate is not null).Select(p => (Label(p), p.SuccessRate!.Value))]);
        Metric("micoportal_provider_latency_p95_ms", "gauge", "p95 latency of the provider's last answered calls.",
            [.. providers.Where(p => p.LatencyP95Ms is not null).Select(p => (Label(p), p.LatencyP95Ms!.Value))]);
        Metric("micoportal_provider_balance", "gauge", "The provider's prepaid float, as last read.",
            [.. providers.Where(p => p.Balance is not null).Select(p => (Label(p), double.Parse(p.Balance!, CultureInfo.InvariantCulture)))]);

        // Memory, so a slow leak shows on a dashboard (and in the soak benchmark): the working set alone
        // cannot tell a leak from the server GC's habit of keeping a large heap when memory is plentiful;
        // what is still alive after the last full collection can.
        var lastGc = GC.GetGCMemoryInfo(GCKind.Any);
        var lastFull = new[] { GC.GetGCMemoryInfo(GCKind.FullBlocking), GC.GetGCMemoryInfo(GCKind.Background) }.MaxBy(i => i.Index)!;
        Metric("process_working_set_bytes", "gauge", "Physical memory of this process.", ("", Environment.WorkingSet));
        Metric("dotnet_gc_heap_size_bytes", "gauge", "Managed heap size at the end of the last collection.", ("", lastGc.HeapSizeBytes));
        Metric("dotnet_gc_heap_after_full_gc_bytes", "gauge", "Managed heap in use (less fragmentation) after the last full (generation 2) collection.",
            ("", lastFull.Index == 0 ? 0 : lastFull.HeapSizeBytes - lastFull.FragmentedBytes));
        // SQLite's own allocations (page caches, statements, sorts) are native memory the GC numbers miss. Only on
        // SQLite: on SQL Server or PostgreSQL the SQLite library is never initialised and asking it would throw.
        if (DatabaseOptions.From(configuration).Provider == DatabaseProvider.Sqlite)
        {
            Metric("sqlite_memory_used_bytes", "gauge", "Memory SQLite has allocated in this process.", ("", SQLitePCL.raw.sqlite3_memory_used()));
            Metric("sqlite_memory_highwater_bytes", "gauge", "Most memory SQLite has held at once in this process.", ("", SQLitePCL.raw.sqlite3_memory_highwater(0)));
        }

        Metric("dotnet_gc_collections_total", "counter", "Garbage collections by generation.",
            ("{generation=\"0\"}", GC.CollectionCount(0)), ("{generation=\"1\"}", GC.CollectionCount(1)), ("{generation=\"2\"}", GC.CollectionCount(2)));
        return TypedResults.Text(text.ToString(), "text/plain; version=0.0.4", Encoding.UTF8);
    }

    private static string Label(ProviderDto provider) => $"{{provider=\"{provider.Name}\"}}";

    private static ValidationProblem InvalidWindow() =>
        Problems.Validation(new Dictionary<string, string[]> { ["window"] = ["A duration such as 15m, 1h or 90s, at most 24h."] });
}
