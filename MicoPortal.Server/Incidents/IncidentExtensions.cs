namespace MicoPortal.Server.Incidents;

public static class IncidentExtensions
{
    public static IServiceCollection AddIncidents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IncidentOptions>().Bind(configuration.GetSection(IncidentOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IncidentMonitor>();
        services.AddSingleton<LateDeliveries>();
        services.AddTransient<IncidentJob>();
        return services;
    }
}
