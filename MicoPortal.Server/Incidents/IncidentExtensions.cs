using MicoPortal.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Incidents;

public static class IncidentExtensions
{
    public static IServiceCollection AddIncidents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IncidentOptions>().Bind(configuration.GetSection(IncidentOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IncidentMonitor>();
        services.AddSingleton<LateDeliveries>();
        services.AddTransient<IncidentJob>();
        services.AddRecurringJob<IncidentJob>(IncidentJob.JobId,
            sp => sp.GetRequiredService<IOptions<IncidentOptions>>().Value is { Enabled: true } o ? $"*/{o.EvaluateEverySeconds} * * * * *" : null,
            j => j.EvaluateAsync(CancellationToken.None));
        return services;
    }
}
