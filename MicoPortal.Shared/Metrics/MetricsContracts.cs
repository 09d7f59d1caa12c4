namespace MicoPortal.Shared.Metrics;

public sealed record LatencyPercentiles(double P50, double P95, double P99);

/// <summary>
/// <c>GET /api/v1/metrics/summary?window=15m</c> and hub method <c>MetricsUpdated</c>. <see cref="AutomationRate"/>:
/// of the orders that reached Delivered or Failed in the window, the share no person re-verified or retried.
/// <see cref="Pipeline"/>: this instance's calls to each provider, live (not windowed). <see cref="Providers"/>:
/// every configured provider (health, pause, float), so the Providers page and the paused banner stay live.
/// </summary>
public sealed record MetricsSummary(
    double SuccessRate,
    long Delivered,
    long Failed,
    long Reversed,
    long Pending,
    long Unknown,
    long Stuck,
    long Disputed,
    LatencyPercentiles LatencyMs,
    double ThroughputPerMinute,
    string Window = "15m",
    DateTimeOffset? GeneratedAt = null,
    double AutomationRate = 1.0,
    IReadOnlyList<ProviderPipelineStatus>? Pipeline = null,
    IReadOnlyList<MicoPortal.Shared.Providers.ProviderDto>? Providers = null);

/// <summary>One minute of the dashboard chart.</summary>
public sealed record MetricsPoint(DateTimeOffset Minute, long Delivered, long Failed, long Received, double LatencyP95Ms);

/// <summary><c>GET /api/v1/metrics/timeseries?window=60m</c>.</summary>
public sealed record MetricsTimeseries(IReadOnlyList<MetricsPoint> Points);

/// <summary>
/// The dispatch and verification pipeline of one provider, live: calls in flight by kind, the adaptive
/// concurrency limit, the provider's recent latency (answered calls), the configured rate cap (0: none),
/// calls so far, of which refused (429/503) and failed (timeouts, 5xx, dropped connections), and calls
/// waiting for a slot. <see cref="RefusalBackground"/> and <see cref="FailureBackground"/> are the shares of
/// calls the provider refuses or fails whatever the load, as the limiter learned them from cuts that did not
/// help (<see cref="CutsUndone"/>): below them the limit is not cut, above them it is.
/// </summary>
public sealed record ProviderPipelineStatus(
    string Provider,
    int InFlightCreates,
    int InFlightQueries,
    int ConcurrencyLimit,
    double LatencyMs,
    int MaxRequestsPerSecond,
    long Calls,
    long Refused,
    long Failed,
    int Waiting,
    double RefusalBackground = 0,
    double FailureBackground = 0,
    long CutsUndone = 0);
