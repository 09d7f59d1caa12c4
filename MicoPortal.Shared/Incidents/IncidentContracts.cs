namespace MicoPortal.Shared.Incidents;

/// <summary>How urgent an incident is: a warning can wait for working hours, a critical one cannot.</summary>
public enum IncidentSeverity
{
    Warning,
    Critical,
}

/// <summary>The metrics the anomaly detector watches, as named in the incidents API.</summary>
public static class IncidentMetrics
{
    public const string SuccessRate = "successRate";
    public const string LatencyP95 = "latencyP95";
    public const string Unknown = "unknown";
    public const string Stuck = "stuck";

    /// <summary>A provider's prepaid float fell below its configured <c>LowBalance</c>.</summary>
    public const string LowBalance = "lowBalance";

    /// <summary>The provider reported SUCCESS for an order a person had settled as Failed (docs/api.md section 10).</summary>
    public const string LateDelivery = "lateDelivery";

    /// <summary>The metrics the anomaly detector watches (a low balance is a threshold, not an anomaly).</summary>
    public static readonly IReadOnlyList<string> All = [SuccessRate, LatencyP95, Unknown, Stuck];
}

/// <summary>The part of the traffic an incident is about; <c>null</c> means every SKU, region or provider.</summary>
public sealed record IncidentSlice(string? Sku, string? Region, string? Provider = null);

/// <summary>
/// Why the detector raised (or still holds) the incident: what it observed, what it expected from
/// the learned baseline, how far apart that is in standard deviations, over how many orders.
/// </summary>
public sealed record IncidentEvidence(double Observed, double Baseline, double Score, long Samples, string Summary);

/// <summary>One item of <c>GET /api/v1/incidents?state=open|resolved</c> and of hub method <c>IncidentsChanged</c>.</summary>
public sealed record IncidentDto(
    long Id,
    IncidentSeverity Severity,
    string Metric,
    IncidentSlice Slice,
    DateTimeOffset StartedAt,
    DateTimeOffset? ResolvedAt,
    IncidentEvidence Evidence,
    long? OrderId = null);

/// <summary><c>GET /api/v1/incidents</c>.</summary>
public sealed record IncidentList(IReadOnlyList<IncidentDto> Items);
