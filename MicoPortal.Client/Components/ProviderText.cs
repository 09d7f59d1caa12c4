using System.Globalization;
using MicoPortal.Client.Services;
using MicoPortal.Shared.Providers;
using MudBlazor;

namespace MicoPortal.Client.Components;

/// <summary>How a provider reads on screen: what it serves, its rates and latency, its float as numbers for a sparkline.</summary>
public static class ProviderText
{
    /// <summary>An empty routing list means the provider takes every SKU (or region), so say so instead of showing nothing.</summary>
    public static string Served(IReadOnlyList<string>? values) =>
        values is null || values.Count == 0 ? "all" : string.Join(", ", values);

    /// <summary>The success rate as a percentage; "—" before the provider answered any call (null).</summary>
    public static string SuccessRate(double? rate) => rate is { } r ? Rates.Format(r) : "—";

    /// <summary>Always in milliseconds here, so the column compares at a glance.</summary>
    public static string LatencyMs(double? milliseconds) =>
        milliseconds is { } ms ? $"{ms.ToString("N0", CultureInfo.InvariantCulture)} ms" : "—";

    /// <summary>Why, by whom and when a provider was paused.</summary>
    public static string PauseDetails(ProviderDto p)
    {
        var who = p.PausedBy is null ? "" : $" by {p.PausedBy}";
        var when = p.PausedAt is { } at ? $" at {LocalTime.Format(at)}" : "";
        var reason = string.IsNullOrWhiteSpace(p.PauseReason) ? "No reason given" : p.PauseReason;
        return $"{reason} (paused{who}{when})";
    }

    public static Color HealthColor(ProviderHealth health) => health switch
    {
        ProviderHealth.Healthy => Color.Success,
        ProviderHealth.Degraded => Color.Warning,
        ProviderHealth.Down => Color.Error,
        _ => Color.Default,
    };

    /// <summary>
    /// The float's history as numbers, oldest first. Balances travel as decimal strings (money is not rounded on the wire);
    /// a point that does not parse is left out rather than drawn as zero, which would look like the float ran dry.
    /// </summary>
    public static IReadOnlyList<double> BalanceSeries(IReadOnlyList<ProviderBalancePoint>? history) =>
        history is null
            ? []
            : history.OrderBy(p => p.At)
                .Select(p => decimal.TryParse(p.Balance, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? (double?)value : null)
                .OfType<double>()
                .ToList();
}
