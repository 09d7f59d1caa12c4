namespace MicoPortal.Shared.Incidents;

/// <summary>
/// How incidents read in words, the same on the dashboard and in alert e-mails and webhooks:
/// the metric as a problem ("Success rate drop") and the slice ("MICO-COINS-100 · MENA").
/// </summary>
public static class IncidentWording
{
    public static string Metric(string metric) => metric switch
    {
        IncidentMetrics.SuccessRate => "Success rate drop",
        IncidentMetrics.LatencyP95 => "Latency spike",
        IncidentMetrics.Unknown => "Unknown orders piling up",
        IncidentMetrics.Stuck => "Stuck orders",
        _ => metric,
    };

    public static string Slice(IncidentSlice slice) =>
        (slice.Sku, slice.Region) switch
        {
            (null, null) => "all traffic",
            ({ } sku, null) => sku,
            (null, { } region) => region,
            ({ } sku, { } region) => $"{sku} · {region}",
        };
}
