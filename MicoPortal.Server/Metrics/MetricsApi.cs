using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MicoPortal.Server.Metrics;

/// <summary>Operator metrics (docs/api.md section 3): the dashboard's read model. <c>/metrics</c> is served by Telemetry/TelemetryExtensions.cs.</summary>
public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/metrics").WithTags("Metrics").RequireAuthorization(Auth.Policies.Operator);
        group.MapGet("/summary", GetSummary);
        group.MapGet("/timeseries", GetTimeseries);
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

    private static ValidationProblem InvalidWindow() =>
        Problems.Validation(new Dictionary<string, string[]> { ["window"] = ["A duration such as 15m, 1h or 90s, at most 24h."] });
}
