using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Alerts;

public static class AlertExtensions
{
    /// <summary>The alert channels, their settings (section <c>Alerts</c>, checked at start-up) and the dispatcher the incident monitor feeds.</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsValidation>());
        services.AddHttpClient(WebhookAlertChannel.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertChannel, WebhookAlertChannel>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertChannel, EmailAlertChannel>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertChannel, LogAlertChannel>());
        services.AddSingleton<AlertDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        return services;
    }
}
