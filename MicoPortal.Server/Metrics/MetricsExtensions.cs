using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Metrics;

public static class MetricsExtensions
{
    /// <summary>The dashboard's numbers: per-minute rollups written with the transitions, and the queries over them.</summary>
    public static IServiceCollection AddDashboardMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<MetricsRecorder>();
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidation>();
        services.AddSingleton<MetricsScrapeFilter>();
        services.AddSingleton<MetricsQueries>();
        services.AddHostedService<MetricsRollupWriter>();
        return services;
    }
}
