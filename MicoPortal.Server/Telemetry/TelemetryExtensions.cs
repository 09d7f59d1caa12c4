using MicoPortal.Server.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MicoPortal.Server.Telemetry;

/// <summary>
/// OpenTelemetry for the portal (README, Telemetry): metrics always, served at <c>/metrics</c> for Prometheus by
/// OpenTelemetry's own exporter; traces, and OTLP export of traces, metrics and logs, when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Without an exporter no tracer listens, so the portal's spans are
/// never created (the dispatch pipeline runs hundreds of orders a second).
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The standard OpenTelemetry variable; its other OTEL_* settings apply as the SDK defines them.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string ScrapePath = "/metrics";

    public static IServiceCollection AddPortalTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PortalMetrics>();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(PortalTelemetry.Name))
            .WithMetrics(metrics => metrics.AddPortalMeters().AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]))
        {
            telemetry.WithTracing(tracing => tracing.AddPortalTracing()).UseOtlpExporter();
        }

        return services;
    }

    /// <summary>The portal's Meter, ASP.NET Core's, HttpClient's and the runtime's.</summary>
    public static MeterProviderBuilder AddPortalMeters(this MeterProviderBuilder metrics) => metrics
        .AddMeter(PortalTelemetry.Name)
        .AddAspNetCoreInstrumentation()
        .AddHttpClientInstrumentation()
        .AddRuntimeInstrumentation();

    /// <summary>
    /// The portal's spans with the incoming requests and the outgoing calls (provider, webhooks). Public so a test
    /// can trace into its own exporter. A provider call made for one order carries that order's id, as its
    /// parent span (the create) does.
    /// </summary>
    public static TracerProviderBuilder AddPortalTracing(this TracerProviderBuilder tracing) => tracing
        .AddSource(PortalTelemetry.Name)
        .AddAspNetCoreInstrumentation(o => o.Filter = http =>
            !http.Request.Path.StartsWithSegments(ScrapePath) && !http.Request.Path.StartsWithSegments("/health"))
        .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, _) =>
        {
            if (activity.Parent?.GetTagItem(PortalTelemetry.Attributes.OrderId) is { } orderId)
            {
                activity.SetTag(PortalTelemetry.Attributes.OrderId, orderId);
            }
        });

    /// <summary>
    /// <c>GET /metrics</c> in Prometheus' text format, for loopback, <c>Metrics:ScrapeNetworks</c> and Admins only
    /// (<see cref="MetricsScrapeFilter"/>; docs/api.md section 3).
    /// </summary>
    public static IEndpointRouteBuilder MapPortalMetrics(this IEndpointRouteBuilder app)
    {
        // The gauges exist from start-up, not from the first transition that needs the Meter.
        app.ServiceProvider.GetRequiredService<PortalMetrics>();
        // A filter on a request-delegate endpoint runs as on a route handler: the exporter answers only once it passes.
        app.MapPrometheusScrapingEndpoint(ScrapePath)
            .AddEndpointFilter<IEndpointConventionBuilder, MetricsScrapeFilter>()
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
            // Prometheus' text format, not the JSON API the OpenAPI document describes (docs/api.md section 3).
            .ExcludeFromDescription();
        return app;
    }
}
