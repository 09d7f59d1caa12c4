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
        IncidentMetrics.LowBalance => "Provider float low",
        IncidentMetrics.LateDelivery => "Late delivery after a manual Failed",
        _ => metric,
    };

    /// <summary>The SKU and region (empty ones left out), and the provider when the incident names one.</summary>
    public static string Slice(IncidentSlice slice)
    {
        var traffic = (NullIfEmpty(slice.Sku), NullIfEmpty(slice.Region)) switch
        {
            (null, null) => slice.Provider is null ? "all traffic" : null,
            ({ } sku, null) => sku,
            (null, { } region) => region,
            ({ } sku, { } region) => $"{sku} · {region}",
        };
        return slice.Provider is { } provider ? (traffic is null ? $"provider {provider}" : $"{traffic} · provider {provider}") : traffic!;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
