using Polly.Telemetry;

namespace MicoPortal.Server.Infrastructure;

/// <summary>How the resilience pipelines of the outgoing HTTP clients report (docs/resilience.md).</summary>
public static class ResilienceTelemetry
{
    /// <summary>
    /// A timeout is an outcome the portal records where it belongs (the attempt, the delivery log, the alert log), as it
    /// did before the timeouts moved into the pipelines: Polly's own report of it is Debug, not an Error line per call
    /// that hangs (a provider hanging 5% of creates would write tens a second). Every other event keeps its severity.
    /// </summary>
    public static IServiceCollection AddResilienceTelemetry(this IServiceCollection services) =>
        services.Configure<TelemetryOptions>(o => o.SeverityProvider = args =>
            args.Event.EventName == "OnTimeout" ? ResilienceEventSeverity.Debug : args.Event.Severity);
}
