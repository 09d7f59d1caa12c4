using MicoPortal.Server.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace MicoPortal.Server.Alerts;

public static class AlertExtensions
{
    /// <summary>The alert channels, their settings (section <c>Alerts</c>, checked at start-up) and the dispatcher the incident monitor feeds.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsValidation>());
        services.AddHttpClient(WebhookAlertChannel.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("alert", (pipeline, context) =>
            {
                // Only the timeout of one try (Alerts:Webhook:TimeoutSeconds). No retry: AlertDispatcher tries every channel
                // Alerts:Attempts times with its backoff, and a retry in here would multiply those tries. No circuit breaker:
                // alerts are a few an hour, too few for a breaker to judge, and each channel has its own queue already
                // (docs/resilience.md).
                var alerts = context.ServiceProvider.GetRequiredService<IOptions<AlertOptions>>();
                pipeline.AddTimeout(new HttpTimeoutStrategyOptions
                {
                    TimeoutGenerator = _ => ValueTask.FromResult(TimeSpan.FromSeconds(alerts.Value.Webhook.TimeoutSeconds)),
                });
            });
        services.AddResilienceTelemetry();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertChannel, WebhookAlertChannel>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertChannel, EmailAlertChannel>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertChannel, LogAlertChannel>());
        services.AddSingleton<AlertDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        return services;
    }
}
