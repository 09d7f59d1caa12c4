using MicoPortal.Shared.Incidents;
using MudBlazor;

namespace MicoPortal.Client.Components;

/// <summary>How incidents read on screen: metric names in words, the slice, the colour of a severity.</summary>
public static class IncidentText
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

    public static Color Color(IncidentSeverity severity) => severity == IncidentSeverity.Critical ? MudBlazor.Color.Error : MudBlazor.Color.Warning;

    public static Severity Alert(IncidentSeverity severity) => severity == IncidentSeverity.Critical ? MudBlazor.Severity.Error : MudBlazor.Severity.Warning;
}
